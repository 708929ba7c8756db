import type { WorkflowInput } from "../domain/workflows.ts";

// Example workflows seeded for new users, written the way AMC queries are usually written. Each
// runs as one execution per week: `{{start_date}}` and `{{end_date}}` are the week's first and
// last day (inclusive), and BUILT_IN_PARAMETER reads the execution's time window. AMC already
// limits every table to that window, so the date filters only make the intent explicit.

export const demoWorkflows: WorkflowInput[] = [
  {
    name: "Weekly campaign delivery",
    description:
      "DSP impressions, clicks, reach and spend per campaign. Spend converts total_cost from " +
      "millicents to dollars.",
    sqlTemplate: `-- DSP delivery per campaign for one week.
SELECT
  campaign_id,
  campaign,
  SUM(impressions) AS impressions,
  SUM(clicks) AS clicks,
  COUNT(DISTINCT user_id) AS reach,
  ROUND(SUM(total_cost) / 100000.0, 2) AS spend_dollars,
  ROUND(SUM(total_cost) / 100000.0 / NULLIF(SUM(impressions), 0) * 1000, 2) AS cpm_dollars
FROM (
  SELECT campaign_id, campaign, user_id, impressions, 0 AS clicks, total_cost
  FROM dsp_impressions
  WHERE impression_date >= '{{start_date}}' AND impression_date <= '{{end_date}}'
  UNION ALL
  SELECT campaign_id, campaign, user_id, 0 AS impressions, clicks, 0 AS total_cost
  FROM dsp_clicks
  WHERE click_date >= '{{start_date}}' AND click_date <= '{{end_date}}'
) AS events
GROUP BY campaign_id, campaign`,
  },
  {
    name: "Attributed sales by campaign",
    description:
      "Detail page views, add-to-carts, purchases and product sales attributed to each campaign " +
      "(DSP and sponsored ads), by traffic time.",
    sqlTemplate: `-- Conversions attributed to each campaign's traffic in the window.
SELECT
  campaign_id,
  campaign,
  ad_product_type,
  SUM(total_detail_page_view) AS detail_page_views,
  SUM(total_add_to_cart) AS add_to_carts,
  SUM(total_purchases) AS purchases,
  SUM(total_units_sold) AS units_sold,
  SUM(total_product_sales) AS product_sales,
  COUNT(DISTINCT user_id) AS engaged_users
FROM amazon_attributed_events_by_traffic_time
WHERE traffic_event_dt >= BUILT_IN_PARAMETER('TIME_WINDOW_START')
  AND traffic_event_dt < BUILT_IN_PARAMETER('TIME_WINDOW_END')
GROUP BY campaign_id, campaign, ad_product_type`,
  },
  {
    name: "New-to-brand purchases",
    description:
      "Purchases and sales from customers new to the brand in the last 12 months, per ad " +
      "product, by conversion time.",
    sqlTemplate: `-- New-to-brand share of attributed purchases per ad product.
SELECT
  ad_product_type,
  SUM(total_purchases) AS purchases,
  SUM(new_to_brand_purchases) AS ntb_purchases,
  ROUND(100.0 * SUM(new_to_brand_purchases) / NULLIF(SUM(total_purchases), 0), 1)
    AS ntb_purchase_share_pct,
  SUM(total_product_sales) AS product_sales,
  SUM(new_to_brand_product_sales) AS ntb_product_sales,
  COUNT(DISTINCT user_id) AS converting_users
FROM amazon_attributed_events_by_conversion_time
WHERE conversion_event_date >= '{{start_date}}' AND conversion_event_date <= '{{end_date}}'
GROUP BY ad_product_type`,
  },
  {
    name: "Time to conversion",
    description:
      "How long shoppers take from their first DSP impression of the week to their first " +
      "purchase, in buckets.",
    sqlTemplate: `-- Time from a shopper's first DSP impression to their first purchase in the window.
WITH first_impression AS (
  SELECT user_id, MIN(impression_dt) AS first_impression_dt
  FROM dsp_impressions
  GROUP BY user_id
), first_purchase AS (
  SELECT user_id, MIN(event_dt) AS purchase_dt
  FROM conversions
  WHERE event_subtype = 'order'
  GROUP BY user_id
), paths AS (
  SELECT
    p.user_id,
    SECONDS_BETWEEN(i.first_impression_dt, p.purchase_dt) AS seconds_to_purchase
  FROM first_purchase p
  JOIN first_impression i ON i.user_id = p.user_id
  WHERE i.first_impression_dt <= p.purchase_dt
)
SELECT
  CASE
    WHEN seconds_to_purchase < 86400 THEN '1: same day'
    WHEN seconds_to_purchase < 3 * 86400 THEN '2: 1-3 days'
    ELSE '3: 3-7 days'
  END AS time_to_conversion,
  COUNT(DISTINCT user_id) AS purchasers,
  ROUND(AVG(seconds_to_purchase) / 3600.0, 1) AS avg_hours_to_purchase
FROM paths
GROUP BY 1`,
  },
  {
    name: "Sponsored ads search terms",
    description:
      "Impressions, clicks and spend per search term for the chosen ad products. Spend converts " +
      "from microcents to dollars; ad_product_types is sent as a CUSTOM_PARAMETER.",
    sqlTemplate: `-- Sponsored ads traffic per customer search term.
SELECT
  ad_product_type,
  customer_search_term,
  SUM(impressions) AS impressions,
  SUM(clicks) AS clicks,
  ROUND(SUM(spend) / 100000000.0, 2) AS spend_dollars,
  IF(SUM(clicks) > 0, ROUND(SUM(spend) / 100000000.0 / SUM(clicks), 2), NULL) AS cpc_dollars
FROM sponsored_ads_traffic
WHERE ad_product_type IN (CUSTOM_PARAMETER('ad_product_types'))
GROUP BY ad_product_type, customer_search_term`,
    parameters: [
      {
        name: "ad_product_types",
        type: "STRING_LIST",
        defaultValue: ["sponsored_products", "sponsored_brands"],
        required: true,
        passAs: "CUSTOM_PARAMETER",
      },
    ],
  },
];
