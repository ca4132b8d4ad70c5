/**
 * The visitor's platform, read from the User-Agent, so that an invite page can put the apps for it first
 * (every other app stays one click away: a wrong guess must never hide the right app).
 */

export const PLATFORMS = ["android", "ios", "macos", "windows", "linux", "web"] as const;
export type Platform = (typeof PLATFORMS)[number];

/**
 * The platform a User-Agent names, or undefined when it names none we know. Order matters: Android's
 * User-Agent contains "Linux", and an iPad's Safari since iPadOS 13 says "Macintosh" (it is told apart only
 * by touch support, which a server cannot see: such iPads are taken for macOS, whose list also shows iOS apps
 * one click away).
 */
export function platformOf(userAgent: string | undefined): Platform | undefined {
  if (userAgent === undefined) return undefined;
  if (/\bAndroid\b/iu.test(userAgent)) return "android";
  if (/\b(iPhone|iPad|iPod)\b/u.test(userAgent)) return "ios";
  if (/\bMacintosh\b|\bMac OS X\b/u.test(userAgent)) return "macos";
  if (/\bWindows\b/u.test(userAgent)) return "windows";
  if (/\bCrOS\b|\bLinux\b|\bX11\b/u.test(userAgent)) return "linux";
  return undefined;
}
