// Public surface of the local AMC sandbox.
export { startSandbox, SandboxStartError } from "./sandbox.ts";
export type { Sandbox, SandboxOptions, SandboxStats } from "./types.ts";
export { FaultInjector, endpointNames, type EndpointName, type FaultRule } from "./faults.ts";
