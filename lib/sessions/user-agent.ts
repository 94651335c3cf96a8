/** What a user agent says about the device: parsed once per distinct string. */
import { UAParser } from "ua-parser-js";

export const DEVICE_TYPES = ["desktop", "mobile", "tablet", "other", "unknown"] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];
export type DeviceInfo = { browser: string | null; os: string | null; deviceType: DeviceType };

/** The browser and operating system families, without versions ("Firefox", "Linux"). */
export type DeviceFamilies = { browserFamily: string | null; osFamily: string | null };

type Parsed = { info: DeviceInfo; families: DeviceFamilies };
const parsed = new Map<string, Parsed>();
const UNKNOWN: Parsed = { info: { browser: null, os: null, deviceType: "unknown" }, families: { browserFamily: null, osFamily: null } };

/** One parse per distinct user agent (ua-parser-js 1.x, MIT). Memoised: few distinct UAs. */
function parseUserAgent(userAgent: string | null): Parsed {
  if (!userAgent) return UNKNOWN;
  let entry = parsed.get(userAgent);
  if (!entry) {
    const result = new UAParser(userAgent).getResult();
    const join = (name?: string, version?: string) => (name ? [name, version].filter(Boolean).join(" ") : null);
    const browser = join(result.browser.name, result.browser.version?.split(".")[0]);
    const os = join(result.os.name, result.os.version);
    const type = result.device.type;
    const deviceType: DeviceType =
      type === "mobile" || type === "wearable"
        ? "mobile"
        : type === "tablet"
          ? "tablet"
          : type
            ? "other"
            : browser || os
              ? "desktop"
              : "other";
    entry = { info: { browser, os, deviceType }, families: { browserFamily: result.browser.name || null, osFamily: result.os.name || null } };
    if (parsed.size > 1000) parsed.clear();
    parsed.set(userAgent, entry);
  }
  return entry;
}

/** Browser, OS and device type from a user agent, as the pages and the API show them. */
export const describeUserAgent = (userAgent: string | null): DeviceInfo => parseUserAgent(userAgent).info;

/** The families a session is filed under (stored at sign-in): the same browser in any version is one. */
export const deviceFamilies = (userAgent: string | null): DeviceFamilies => parseUserAgent(userAgent).families;

/** The device type stored with a session at sign-in (Session.deviceType); null when unknown. */
export function storedDeviceType(userAgent: string | null): Exclude<DeviceType, "unknown"> | null {
  const { deviceType } = parseUserAgent(userAgent).info;
  return deviceType === "unknown" ? null : deviceType;
}
