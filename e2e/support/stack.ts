// Ports and URLs of the processes the end-to-end suite starts. They differ from the
// development defaults (4000, 4010, 3000) so that the suite can run beside a developer's server.

/** Port the browser and tests use for the API; the supervisor's proxy listens here. */
export const apiPort = Number(process.env.E2E_API_PORT ?? 4300);
/** Port of the real server process behind the proxy. */
export const backendPort = apiPort + 1;
/** Port of the supervisor's control routes (cut, restore, restart). */
export const controlPort = apiPort + 2;
/** Port of the AMC sandbox inside the server process. */
export const sandboxPort = apiPort + 10;
/** Port of `next start`. */
export const webPort = Number(process.env.E2E_WEB_PORT ?? 3300);

export const apiUrl = `http://127.0.0.1:${apiPort}/graphql`;
export const backendUrl = `http://127.0.0.1:${backendPort}`;
export const controlUrl = `http://127.0.0.1:${controlPort}`;
export const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
export const webUrl = `http://127.0.0.1:${webPort}`;

/** Wall-clock duration of one sandbox execution; short so that collections finish in seconds. */
export const sandboxExecutionMs = 600;

/**
 * Weeks of the collections that scenarios create. Every scenario uses the same workflow and the
 * same last weeks, so the sandbox runs each week's SQL once and serves later runs from its cache.
 * Cold weeks took from 1 to 50 seconds of SQL time on the shared two-core test machine.
 */
export const scenarioWeeks = 12;
