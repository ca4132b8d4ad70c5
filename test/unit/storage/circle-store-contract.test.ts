import { MemoryCircles } from "../../../src/storage/memory-circles.js";
import { memoryBackend } from "../../../src/storage/memory-store.js";
import { circleStoreContract } from "../../helpers/circle-store-contract.js";

const store = memoryBackend(undefined, new MemoryCircles()).circles;

circleStoreContract("The memory backend's circles", () => ({ store }));
