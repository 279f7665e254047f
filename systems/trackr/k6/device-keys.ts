import { hmac } from "k6/crypto";

/** API key of a device: first 32 hex chars of HMAC-SHA256(secret, device_id), as the trackr firmware does. */
export function deviceKeys(secret: string): (deviceId: string) => string {
  const keyByDevice = new Map<string, string>();
  return (deviceId) => {
    let key = keyByDevice.get(deviceId);
    if (key === undefined) {
      key = hmac("sha256", secret, deviceId, "hex").slice(0, 32);
      keyByDevice.set(deviceId, key);
    }
    return key;
  };
}
