/** The configuration's public face; the parts are in src/config/ (docs/architecture.md). */
export { loadConfig } from "./config/load.js";
export { ConfigError } from "./config/reader.js";
export { MIN_SIGNING_KEY_LENGTH } from "./config/signing-keys.js";
export {
  type Config,
  DEFAULTS,
  type Env,
  REGISTRATION_MODES,
  type RegistrationMode,
  type TrustProxy,
  type WebConfig,
} from "./config/types.js";
