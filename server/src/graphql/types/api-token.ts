import { builder } from "../builder.ts";
import { requireRole } from "../authorize.ts";
import { createApiToken } from "../../auth/tokens.ts";
import { NIL_UUID, nodeLookupId, parseGlobalId } from "../ids.ts";
import { RoleEnum } from "./enums.ts";
import { notFoundUserError, UserErrorRef, type MutationResult } from "./user-error.ts";
import { roleIncludes, type Role, type Viewer } from "../../auth/roles.ts";

// API tokens as admins see them: never the token or its hash, only the prefix. A token is
// readable exactly once, in the payload of the mutation that creates it.

export const ApiTokenRef = builder.prismaNode("ApiToken", {
  description: "An API token. The token itself is shown once, when it is created.",
  id: { field: "id" },
  // node(id) finds tokens only for admins, like apiTokens.
  findUnique: (id, context) => ({
    id: roleIncludes(context.viewer.role, "ADMIN") ? nodeLookupId(id) : NIL_UUID,
  }),
  select: {
    id: true,
    name: true,
    role: true,
    prefix: true,
    createdAt: true,
    lastUsedAt: true,
    revokedAt: true,
  },
  fields: (t) => ({
    name: t.exposeString("name"),
    role: t.expose("role", { type: RoleEnum }),
    prefix: t.exposeString("prefix", {
      description: "First characters of the token, to tell tokens apart.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    lastUsedAt: t.expose("lastUsedAt", {
      type: "DateTime",
      nullable: true,
      description: "Last request made with the token, accurate to about a minute.",
    }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true }),
  }),
});

const ViewerRef = builder.objectRef<Viewer>("Viewer").implement({
  description: "The caller of the current request.",
  fields: (t) => ({
    role: t.expose("role", { type: RoleEnum }),
    tokenName: t.string({
      nullable: true,
      description: "Name of the stored token in use; null for API_TOKENS and open local access.",
      resolve: (viewer) => (viewer.tokenId ? viewer.source : null),
    }),
    openAccess: t.boolean({
      description: "True when the server runs without tokens and every local caller is an admin.",
      resolve: (viewer) => viewer.source === "open local access",
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerRef,
    description: "The caller of this request and its role.",
    resolve: (_root, _args, context) => context.viewer,
  }),
  apiTokens: t.prismaConnection({
    type: "ApiToken",
    cursor: "id",
    description: "Stored API tokens, newest first. Requires the admin role.",
    totalCount: (_parent, _args, context) => {
      requireRole(context, "ADMIN");
      return context.prisma.apiToken.count();
    },
    resolve: (query, _parent, _args, context) => {
      requireRole(context, "ADMIN");
      return context.prisma.apiToken.findMany({
        ...query,
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      });
    },
  }),
}));

type CreatedToken = { token: string; id: string };

const CreateApiTokenPayloadRef = builder
  .objectRef<MutationResult<CreatedToken>>("CreateApiTokenPayload")
  .implement({
    description: "Result of createApiToken.",
    fields: (t) => ({
      apiToken: t.prismaField({
        type: "ApiToken",
        nullable: true,
        resolve: (query, result, _args, context) =>
          result.value
            ? context.prisma.apiToken.findUnique({ ...query, where: { id: result.value.id } })
            : null,
      }),
      token: t.string({
        nullable: true,
        description: "The new token. It is shown only here; store it now.",
        resolve: (result) => result.value?.token ?? null,
      }),
      userErrors: t.field({ type: [UserErrorRef], resolve: (result) => result.userErrors }),
    }),
  });

const RevokeApiTokenPayloadRef = builder
  .objectRef<MutationResult<string>>("RevokeApiTokenPayload")
  .implement({
    description: "Result of revokeApiToken.",
    fields: (t) => ({
      apiToken: t.prismaField({
        type: "ApiToken",
        nullable: true,
        resolve: (query, result, _args, context) =>
          result.value
            ? context.prisma.apiToken.findUnique({ ...query, where: { id: result.value } })
            : null,
      }),
      userErrors: t.field({ type: [UserErrorRef], resolve: (result) => result.userErrors }),
    }),
  });

const CreateApiTokenInput = builder.inputType("CreateApiTokenInput", {
  fields: (t) => ({
    name: t.string({
      required: true,
      description: "Name that identifies who uses the token, e.g. ci.",
    }),
    role: t.field({ type: RoleEnum, required: true }),
  }),
});

/** Maximum length of a token name, in characters. */
const MAX_TOKEN_NAME_LENGTH = 100;

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreateApiTokenPayloadRef,
    description: "Creates an API token and returns it once. Requires the admin role.",
    args: { input: t.arg({ type: CreateApiTokenInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      requireRole(context, "ADMIN");
      const name = input.name.trim();
      if (name.length === 0 || name.length > MAX_TOKEN_NAME_LENGTH) {
        return {
          value: null,
          userErrors: [
            {
              field: ["input", "name"],
              message: `The token name must have 1 to ${MAX_TOKEN_NAME_LENGTH} characters.`,
              code: "INVALID",
            },
          ],
        };
      }
      const { token, info } = await createApiToken(context.prisma, {
        name,
        role: input.role as Role,
      });
      context.logger.info(
        { tokenId: info.id, role: info.role, createdBy: context.viewer.source },
        "API token created",
      );
      return { value: { token, id: info.id }, userErrors: [] };
    },
  }),
  revokeApiToken: t.field({
    type: RevokeApiTokenPayloadRef,
    description:
      "Revokes an API token; requests with it fail from then on. Requires the admin role.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => {
      requireRole(context, "ADMIN");
      const id = parseGlobalId(String(args.id), "ApiToken");
      const updated = id
        ? await context.prisma.apiToken.updateMany({
            where: { id, revokedAt: null },
            data: { revokedAt: new Date() },
          })
        : { count: 0 };
      if (
        !id ||
        (updated.count === 0 && !(await context.prisma.apiToken.count({ where: { id } })))
      ) {
        return {
          value: null,
          userErrors: [notFoundUserError(["id"], "ApiToken", String(args.id))],
        };
      }
      context.logger.info({ tokenId: id, revokedBy: context.viewer.source }, "API token revoked");
      return { value: id, userErrors: [] };
    },
  }),
}));
