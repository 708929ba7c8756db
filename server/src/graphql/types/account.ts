import { builder } from "../builder.ts";
import { nodeLookupId } from "../ids.ts";
import { RegionEnum } from "./enums.ts";

export const AccountRef = builder.prismaNode("Account", {
  description:
    "An Amazon Ads advertiser account with AMC access. Its Login with Amazon credentials can be written but never read back.",
  id: { field: "id" },
  findUnique: (id) => ({ id: nodeLookupId(id) }),
  fields: (t) => ({
    name: t.exposeString("name", { description: "Unique display name." }),
    region: t.expose("region", { type: RegionEnum, description: "Amazon Ads API region." }),
    entityId: t.exposeString("entityId", {
      description: "AMC entity id, sent as the Amazon-Advertising-API-AdvertiserId header.",
    }),
    marketplaceId: t.exposeString("marketplaceId", {
      description: "Marketplace id, sent as the Amazon-Advertising-API-MarketplaceId header.",
    }),
    apiBaseUrl: t.exposeString("apiBaseUrl", {
      description: "Base URL of the Amazon Ads API, e.g. https://advertising-api.amazon.com.",
    }),
    tokenUrl: t.exposeString("tokenUrl", {
      description: "Login with Amazon token URL used to refresh access tokens.",
    }),
    isSandbox: t.exposeBoolean("isSandbox", {
      description: "True for the account of the local AMC sandbox.",
    }),
    instances: t.relation("instances", {
      description: "AMC instances of the account, by name.",
      query: { orderBy: { name: "asc" } },
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

builder.queryField("accounts", (t) =>
  t.prismaConnection({
    type: "Account",
    cursor: "id",
    description: "Advertiser accounts, by name.",
    totalCount: (_parent, _args, context) => context.prisma.account.count(),
    resolve: (query, _parent, _args, context) =>
      context.prisma.account.findMany({ ...query, orderBy: [{ name: "asc" }, { id: "asc" }] }),
  }),
);
