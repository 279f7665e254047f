import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { deviceKey, deviceKeyHexChars, isValidDeviceKey } from "../../systems/trackr/app/device-key.ts";

describe("trackr device key", () => {
  it("is the first 32 hex chars of HMAC-SHA256(secret, device_id)", () => {
    // Fixed vector (also from `printf %s dev-1 | openssl dgst -sha256 -hmac s3cret`), so the k6 device-fleet
    // script or any firmware can be checked against the same value.
    expect(deviceKey("s3cret", "dev-1")).toBe("6ae7d177261e24acb7f045b71806a809");
    const full = createHmac("sha256", "s3cret").update("dev-1").digest("hex");
    expect(deviceKey("s3cret", "dev-1")).toBe(full.slice(0, 32));
    expect(deviceKey("s3cret", "dev-1")).toMatch(/^[0-9a-f]{32}$/);
    expect(deviceKeyHexChars).toBe(32);
  });

  it("differs per device and per secret", () => {
    expect(deviceKey("s3cret", "dev-1")).not.toBe(deviceKey("s3cret", "dev-2"));
    expect(deviceKey("s3cret", "dev-1")).not.toBe(deviceKey("other", "dev-1"));
  });

  it("accepts exactly the device's own key", () => {
    const key = deviceKey("s3cret", "dev-7");
    expect(isValidDeviceKey("s3cret", "dev-7", key)).toBe(true);
    expect(isValidDeviceKey("s3cret", "dev-8", key)).toBe(false);
    expect(isValidDeviceKey("other", "dev-7", key)).toBe(false);
  });

  it("rejects missing, empty, truncated, extended and case-changed keys without throwing", () => {
    const key = deviceKey("s3cret", "dev-7");
    for (const presented of [undefined, "", key.slice(0, 31), key + "0", key.toUpperCase(), "é".repeat(16)])
      expect(isValidDeviceKey("s3cret", "dev-7", presented)).toBe(false);
  });
});
