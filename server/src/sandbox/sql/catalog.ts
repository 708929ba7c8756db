// The synthetic advertiser behind the sandbox's dataset: campaigns, products and the traffic
// rates that the dataset's views turn into events. Magnitudes are scaled down from a mid-sized
// advertiser (thousands of events a day, not millions) so that a week's query stays fast.

/** Ad channel of a campaign, as AMC's ad_product_type reports it. */
export type Channel = "dsp" | "sponsored_products" | "sponsored_brands" | "sponsored_display";

/** A synthetic campaign. */
export interface SyntheticCampaign {
  campaignId: bigint;
  name: string;
  channel: Channel;
  /** Share of its channel's traffic. */
  trafficWeight: number;
  /** Share of attributed conversions across all campaigns. */
  conversionWeight: number;
  /** DSP cost per thousand impressions, in dollars. */
  cpmDollars: number;
  clickThroughRate: number;
  /** Sponsored ads cost per click, in dollars. */
  cpcDollars: number;
  creativeType: string;
}

/** Advertiser of every synthetic campaign. */
export const syntheticAdvertiser = { name: "Sandbox Outdoor Co.", advertiserId: 5_550_001n };

/** Entity id of the synthetic advertiser. */
export const syntheticEntityId = "ENTITYSANDBOX01";

export const syntheticCampaigns: SyntheticCampaign[] = [
  campaign(1, "Always-On Prospecting", "dsp", 0.28, 0.14, 6.5, 0.0035, 0, "Display"),
  campaign(2, "Retargeting - Product Viewers", "dsp", 0.16, 0.12, 9, 0.0075, 0, "Display"),
  campaign(3, "Brand Awareness - Online Video", "dsp", 0.22, 0.06, 11, 0.002, 0, "Video"),
  campaign(4, "Streaming TV - Seasonal", "dsp", 0.12, 0.03, 22, 0.0005, 0, "Streaming TV"),
  campaign(5, "Lookalike Audiences", "dsp", 0.14, 0.05, 7, 0.004, 0, "Display"),
  campaign(6, "Holiday Gift Guide", "dsp", 0.08, 0.02, 8, 0.005, 0, "Display"),
  campaign(11, "SP - Tents - Exact", "sponsored_products", 0.3, 0.18, 0, 0.009, 1.45, "Product"),
  campaign(
    12,
    "SP - Sleeping Bags - Auto",
    "sponsored_products",
    0.22,
    0.12,
    0,
    0.006,
    0.95,
    "Product",
  ),
  campaign(13, "SP - Brand Defense", "sponsored_products", 0.12, 0.1, 0, 0.012, 0.6, "Product"),
  campaign(14, "SB - Camping Collection", "sponsored_brands", 0.16, 0.07, 0, 0.005, 1.2, "Brand"),
  campaign(15, "SB - Video - Backpacks", "sponsored_brands", 0.1, 0.04, 0, 0.004, 1.6, "Video"),
  campaign(16, "SD - Retargeting Views", "sponsored_display", 0.1, 0.07, 0, 0.003, 0.85, "Display"),
];

/** A synthetic product. */
export interface SyntheticProduct {
  asin: string;
  name: string;
  priceDollars: number;
  weight: number;
}

export const syntheticProducts: SyntheticProduct[] = [
  { asin: "B0SANDBX01", name: "Trail 2-Person Tent", priceDollars: 189.99, weight: 0.12 },
  { asin: "B0SANDBX02", name: "Summit Sleeping Bag", priceDollars: 89.99, weight: 0.14 },
  { asin: "B0SANDBX03", name: "Ridge Daypack 28L", priceDollars: 64.99, weight: 0.15 },
  { asin: "B0SANDBX04", name: "Camp Stove Mini", priceDollars: 39.99, weight: 0.1 },
  { asin: "B0SANDBX05", name: "Insulated Bottle 1L", priceDollars: 24.99, weight: 0.2 },
  { asin: "B0SANDBX06", name: 'Headlamp 400, "Night" Edition', priceDollars: 29.99, weight: 0.12 },
  { asin: "B0SANDBX07", name: "Trekking Poles Pair", priceDollars: 49.99, weight: 0.09 },
  { asin: "B0SANDBX08", name: "Camp Chair Lite", priceDollars: 59.99, weight: 0.08 },
];

/** Events per day on an average day, before the seasonal factor. */
export const dailyVolumes = {
  dspImpressions: 1600,
  sponsoredAdsImpressions: 2000,
  attributedEvents: 420,
  conversions: 700,
};

/** Distinct shoppers the events are drawn from. */
export const userPoolSize = 40_000;

function campaign(
  index: number,
  name: string,
  channel: Channel,
  trafficWeight: number,
  conversionWeight: number,
  cpmDollars: number,
  clickThroughRate: number,
  cpcDollars: number,
  creativeType: string,
): SyntheticCampaign {
  return {
    campaignId: 583_012_771_000n + BigInt(index),
    name,
    channel,
    trafficWeight,
    conversionWeight,
    cpmDollars,
    clickThroughRate,
    cpcDollars,
    creativeType,
  };
}
