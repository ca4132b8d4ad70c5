/**
 * The two windows the browser tests and `npm run screenshots` draw pages in: a phone (390×844, the CSS viewport of
 * a common Android phone, with its user agent) and a desktop window (1280×900).
 */
const ANDROID =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";
const LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

export interface BrowserWindow {
  /** The suffix of the screenshots' names: phone or desktop. */
  readonly name: "phone" | "desktop";
  readonly width: number;
  readonly height: number;
  readonly userAgent: string;
}

export const PHONE: BrowserWindow = { name: "phone", width: 390, height: 844, userAgent: ANDROID };
export const DESKTOP: BrowserWindow = { name: "desktop", width: 1280, height: 900, userAgent: LINUX };
export const WINDOWS: readonly BrowserWindow[] = [PHONE, DESKTOP];
