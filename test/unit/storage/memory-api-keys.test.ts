/** The memory store of API keys follows the ApiKeyStore contract (Redis's: test/integration/contracts). */

import { MemoryApiKeys } from "../../../src/storage/memory-api-keys.js";
import { apiKeyStoreContract } from "../../helpers/api-key-store-contract.js";

const store = new MemoryApiKeys();
apiKeyStoreContract("The memory store of API keys", () => ({ store }));
