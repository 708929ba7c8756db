import {
  createAccount,
  deleteAccount,
  updateAccount,
  type AccountPatch,
} from "../../domain/accounts.ts";
import type { Account } from "../../generated/prisma/client.ts";
import { builder } from "../builder.ts";
import { requireRole } from "../authorize.ts";
import { parseGlobalId } from "../ids.ts";
import { AccountRef } from "./account.ts";
import { RegionEnum } from "./enums.ts";
import {
  defineDeletePayload,
  definePayload,
  notFoundUserError,
  rejectMutation,
  runDelete,
  runMutation,
} from "./user-error.ts";

// Creating and editing advertiser accounts. Each requires the admin role. Credentials are
// write-only: they are encrypted on the way in and no field returns them.

const CredentialsInput = builder.inputType("AccountCredentialsInput", {
  description: "Login with Amazon credentials of an Amazon Ads API client. Write-only.",
  fields: (t) => ({
    clientId: t.string({ required: true }),
    clientSecret: t.string({ required: true }),
    refreshToken: t.string({ required: true }),
  }),
});

const CredentialsPatchInput = builder.inputType("AccountCredentialsPatchInput", {
  description: "Credentials to replace; omitted ones stay as they are. Write-only.",
  fields: (t) => ({
    clientId: t.string({ required: false }),
    clientSecret: t.string({ required: false }),
    refreshToken: t.string({ required: false }),
  }),
});

const CreateAccountInput = builder.inputType("CreateAccountInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "Unique display name." }),
    region: t.field({ type: RegionEnum, required: true }),
    entityId: t.string({ required: true, description: "AMC entity id (ENTITY…)." }),
    marketplaceId: t.string({ required: true }),
    apiBaseUrl: t.string({ required: false, description: "The region's endpoint when omitted." }),
    tokenUrl: t.string({ required: false, description: "The region's endpoint when omitted." }),
    credentials: t.field({ type: CredentialsInput, required: true }),
  }),
});

const UpdateAccountInput = builder.inputType("UpdateAccountInput", {
  description: "Fields to change; omitted fields stay as they are.",
  fields: (t) => ({
    name: t.string({ required: false }),
    region: t.field({ type: RegionEnum, required: false }),
    entityId: t.string({ required: false }),
    marketplaceId: t.string({ required: false }),
    apiBaseUrl: t.string({ required: false }),
    tokenUrl: t.string({ required: false }),
    credentials: t.field({ type: CredentialsPatchInput, required: false }),
  }),
});

const AccountPayload = definePayload<Omit<Account, "credentials">>("AccountPayload", {
  description: "Result of createAccount or updateAccount.",
  objectField: "account",
  objectType: AccountRef as never,
  objectDescription: "The account as stored, without its credentials.",
});

const DeleteAccountPayload = defineDeletePayload("DeleteAccountPayload", {
  mutation: "deleteAccount",
  typeName: "Account",
  idField: "deletedAccountId",
});

builder.mutationFields((t) => ({
  createAccount: t.field({
    type: AccountPayload,
    description: "Adds an advertiser account. Requires the admin role.",
    args: { input: t.arg({ type: CreateAccountInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      requireRole(context, "ADMIN");
      return runMutation(() =>
        createAccount(context.prisma, context.secretKey, {
          name: input.name,
          region: input.region,
          entityId: input.entityId,
          marketplaceId: input.marketplaceId,
          apiBaseUrl: input.apiBaseUrl ?? null,
          tokenUrl: input.tokenUrl ?? null,
          credentials: input.credentials,
        }),
      );
    },
  }),
  updateAccount: t.field({
    type: AccountPayload,
    description:
      "Changes an advertiser account or replaces its credentials. Requires the admin role.",
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateAccountInput, required: true }),
    },
    resolve: async (_root, { id: globalId, input }, context) => {
      requireRole(context, "ADMIN");
      const id = parseGlobalId(String(globalId), "Account");
      if (!id) return rejectMutation(notFoundUserError(["id"], "Account", String(globalId)));
      const patch: AccountPatch = {};
      for (const key of ["name", "entityId", "marketplaceId", "apiBaseUrl", "tokenUrl"] as const) {
        if (input[key] != null) patch[key] = input[key];
      }
      if (input.region != null) patch.region = input.region;
      if (input.credentials != null) {
        const credentials: NonNullable<AccountPatch["credentials"]> = {};
        for (const key of ["clientId", "clientSecret", "refreshToken"] as const) {
          if (input.credentials[key] != null) credentials[key] = input.credentials[key];
        }
        patch.credentials = credentials;
      }
      return runMutation(() => updateAccount(context.prisma, context.secretKey, id, patch));
    },
  }),
  deleteAccount: t.field({
    type: DeleteAccountPayload,
    description:
      "Deletes an account and its stored credentials once it has no instances (ACCOUNT_IN_USE otherwise: delete its instances first). Requires the admin role.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => {
      requireRole(context, "ADMIN");
      return runDelete(context, args.id, "Account", (id) => deleteAccount(context.prisma, id));
    },
  }),
}));
