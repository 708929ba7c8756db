import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { ServerResponse } from "node:http";

// Presigned download URLs for result files, signed with HMAC-SHA256 over the path and the
// expiry so that they work without a bearer token and stop working after their lifetime, like
// the S3 URLs that AMC hands out.

const PATH = /^\/_results\/([^/]+)\/([^/]+)\/(part-\d{5}\.csv|metadata\.json)$/;

/** A verified download request. */
export interface DownloadTarget {
  instanceId: string;
  executionId: string;
  /** `part-00001.csv` (1-based) or `metadata.json`. */
  file: string;
}

/** Signs and verifies download URLs. */
export class DownloadSigner {
  private readonly key = randomBytes(32);

  constructor(
    private readonly clock: () => number,
    public expiresInSeconds: number,
  ) {}

  /** Returns a presigned URL for one file of an execution's result. */
  sign(baseUrl: string, instanceId: string, executionId: string, file: string): string {
    const path = `/_results/${encodeURIComponent(instanceId)}/${encodeURIComponent(executionId)}/${file}`;
    const expires = Math.floor(this.clock() / 1000) + this.expiresInSeconds;
    const signature = this.signature(path, expires);
    return `${baseUrl}${path}?X-Amz-Expires=${this.expiresInSeconds}&expires=${expires}&signature=${signature}`;
  }

  /**
   * Checks a download request. Sends 403 itself and returns "answered" when the signature is
   * wrong or the URL expired. Returns undefined without responding when the path is not a
   * download path.
   */
  verify(url: URL, res: ServerResponse): DownloadTarget | undefined | "answered" {
    const match = PATH.exec(url.pathname);
    if (!match) return undefined;
    const expires = Number(url.searchParams.get("expires"));
    const given = Buffer.from(url.searchParams.get("signature") ?? "", "utf8");
    const expected = Buffer.from(this.signature(url.pathname, expires), "utf8");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      sendS3Error(res, "SignatureDoesNotMatch", "The request signature does not match.");
      return "answered";
    }
    if (Math.floor(this.clock() / 1000) >= expires) {
      sendS3Error(res, "AccessDenied", "Request has expired.");
      return "answered";
    }
    return {
      instanceId: decodeURIComponent(match[1]!),
      executionId: decodeURIComponent(match[2]!),
      file: match[3]!,
    };
  }

  private signature(path: string, expires: number): string {
    return createHmac("sha256", this.key).update(`GET\n${path}\n${expires}`).digest("hex");
  }
}

/** Sends 403 with an S3-style XML error. */
export function sendS3Error(res: ServerResponse, code: string, message: string): void {
  res.writeHead(403, { "content-type": "application/xml" });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  );
}
