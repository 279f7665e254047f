import { createHmac, timingSafeEqual } from "node:crypto";

/** Length of a device API key in hex characters (128 bits: short enough for firmware, long enough not to guess). */
export const deviceKeyHexChars = 32;

/**
 * The API key of a device: the first 32 hex chars of HMAC-SHA256(secret, deviceId).
 * Derived, not stored, so app nodes need no key table and the load generator can compute keys for any fleet size.
 * The k6 device-fleet script mirrors this; keep the two in step.
 */
export function deviceKey(secret: string, deviceId: string): string {
  return createHmac("sha256", secret).update(deviceId, "utf8").digest("hex").slice(0, deviceKeyHexChars);
}

/** True when `presented` is the key of `deviceId`. Constant time in the key's content, so timing leaks no prefix. */
export function isValidDeviceKey(secret: string, deviceId: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const expected = Buffer.from(deviceKey(secret, deviceId), "utf8");
  const given = Buffer.from(presented, "utf8");
  // timingSafeEqual throws on unequal lengths; the length of a key is public, so checking it first leaks nothing.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
