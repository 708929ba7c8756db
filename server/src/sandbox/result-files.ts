import type { ServerResponse } from "node:http";
import type { DownloadTarget } from "./downloads.ts";
import type { ExecutionStore } from "./executions.ts";
import { AmcHttpError } from "./http.ts";

/** Sends one result file (a CSV part or the metadata JSON) of a verified download URL. */
export function sendResultFile(
  executions: ExecutionStore,
  target: DownloadTarget,
  res: ServerResponse,
): void {
  const execution = executions.get(target.instanceId, target.executionId);
  const result = execution.result;
  if (!result) throw new AmcHttpError(404, `Execution ${target.executionId} has no result.`);
  if (target.file === "metadata.json") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        columns: result.columns,
        rowCount: result.rowCount,
        partCount: result.parts.length,
      }),
    );
    return;
  }
  const index = Number(/^part-(\d{5})\.csv$/.exec(target.file)![1]) - 1;
  const part = result.parts[index];
  if (!part) throw new AmcHttpError(404, `Result file ${target.file} does not exist.`);
  res.writeHead(200, { "content-type": "text/csv; charset=utf-8", "content-length": part.length });
  res.end(part);
}
