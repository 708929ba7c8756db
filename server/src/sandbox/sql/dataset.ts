import {
  dailyVolumes,
  syntheticAdvertiser,
  syntheticCampaigns,
  syntheticEntityId,
  syntheticProducts,
  userPoolSize,
} from "./catalog.ts";

// SQL that builds the sandbox's synthetic AMC tables inside its own PGlite. The tables are
// views that compute events on the fly: one generate_series per day of the execution's window
// (read from transaction-local settings), every attribute drawn from hashint8 of the event's
// key. Nothing is stored, 13 months cost nothing, and a window always yields the same rows.
// A day's volume follows `day_factor`: a weekly rhythm, a July sales event, a Q4 ramp with a
// Black Friday peak, a January dip and slow growth.
//
// Units follow AMC: DSP total_cost and supply_cost in millicents (1/100,000 dollar), sponsored
// ads spend in microcents (1/100,000,000 dollar), product_sales in dollars.

const MILLICENTS_PER_DOLLAR = 100_000;
const MICROCENTS_PER_DOLLAR = 100_000_000;
/** Resolution of weighted picks: weights are rounded to 1/BUCKETS. */
const BUCKETS = 1000;

/** Tables of the synthetic dataset that submitted SQL may read. */
export const datasetTables = [
  "dsp_impressions",
  "dsp_clicks",
  "sponsored_ads_traffic",
  "amazon_attributed_events_by_conversion_time",
  "amazon_attributed_events_by_traffic_time",
  "conversions",
] as const;

/** Role that submitted SQL runs as. */
export const queryRole = "amc_query";

/** Returns the SQL that creates the role, helpers, dimension tables and views. */
export function buildDatasetSql(): string {
  return [
    isolationSql(),
    helperFunctionsSql(),
    dimensionTablesSql(),
    dspEventsSql(),
    sponsoredAdsSql(),
    attributedEventsSql("amazon_attributed_events_by_traffic_time", 0, "traffic_event_dt"),
    attributedEventsSql("amazon_attributed_events_by_conversion_time", 14, "conversion_event_dt"),
    conversionsSql(),
    grantsSql(),
  ].join("\n");
}

function isolationSql(): string {
  // The query role reads only the views of schema amc. Reading settings is revoked because
  // the window bounds live there and set_config could switch the role back to the superuser.
  return `
CREATE ROLE ${queryRole} NOLOGIN;
CREATE SCHEMA amc_internal;
CREATE SCHEMA amc;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION pg_catalog.current_setting(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION pg_catalog.current_setting(text, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION pg_catalog.set_config(text, text, boolean) FROM PUBLIC;
REVOKE SELECT ON pg_catalog.pg_settings FROM PUBLIC;
`;
}

function helperFunctionsSql(): string {
  return `
CREATE FUNCTION amc_internal.window_start() RETURNS timestamp STABLE SECURITY DEFINER
  SET search_path = pg_catalog LANGUAGE sql
  AS $$ SELECT current_setting('amc.window_start')::timestamp $$;
CREATE FUNCTION amc_internal.window_end() RETURNS timestamp STABLE SECURITY DEFINER
  SET search_path = pg_catalog LANGUAGE sql
  AS $$ SELECT current_setting('amc.window_end')::timestamp $$;
CREATE FUNCTION amc_internal.retention_start() RETURNS timestamp STABLE SECURITY DEFINER
  SET search_path = pg_catalog LANGUAGE sql
  AS $$ SELECT current_setting('amc.retention_start')::timestamp $$;

-- Uniform number in [0, 1) from an event key and a per-attribute salt.
CREATE FUNCTION amc_internal.u(k bigint, salt int) RETURNS float8 IMMUTABLE LANGUAGE sql
  AS $$ SELECT (hashint8(k * 131 + salt) & 2147483647)::float8 / 2147483648.0 $$;

-- Seasonal volume factor of a day; 1.0 is an ordinary weekday in spring.
CREATE FUNCTION amc_internal.day_factor(d date) RETURNS float8 IMMUTABLE LANGUAGE sql AS $$
  SELECT
    (CASE extract(isodow FROM d)::int
       WHEN 1 THEN 0.96 WHEN 2 THEN 0.94 WHEN 3 THEN 0.95 WHEN 4 THEN 0.99
       WHEN 5 THEN 1.05 WHEN 6 THEN 1.14 ELSE 1.11 END)
    * (CASE
         WHEN extract(month FROM d) = 7 AND extract(day FROM d) BETWEEN 8 AND 11 THEN 2.6
         WHEN extract(month FROM d) = 7 AND extract(day FROM d) BETWEEN 1 AND 7 THEN 1.25
         WHEN extract(month FROM d) = 11 AND extract(day FROM d) >= 24 THEN 2.2
         WHEN extract(month FROM d) = 11 THEN 1.3 + 0.012 * extract(day FROM d)
         WHEN extract(month FROM d) = 12 AND extract(day FROM d) = 1 THEN 2.0
         WHEN extract(month FROM d) = 12 AND extract(day FROM d) <= 21 THEN 1.55
         WHEN extract(month FROM d) = 12 THEN 0.95
         WHEN extract(month FROM d) = 10 THEN 1.05 + 0.008 * extract(day FROM d)
         WHEN extract(month FROM d) IN (1, 2) THEN 0.82
         ELSE 1.0 END)
    * (1 + 0.0004 * (d - date '2024-01-01'))
$$;

-- Events on day d for a base volume, with +-10% day-to-day noise.
CREATE FUNCTION amc_internal.daily_rows(d date, base int) RETURNS int IMMUTABLE LANGUAGE sql AS $$
  SELECT greatest(1, round(base * amc_internal.day_factor(d)
    * (0.9 + 0.2 * amc_internal.u((d - date '2000-01-01')::bigint, base))))::int
$$;

-- Days that the execution's window covers, extended back by pad_days, within retention.
CREATE FUNCTION amc_internal.window_days(pad_days int) RETURNS SETOF date STABLE LANGUAGE sql AS $$
  SELECT g::date FROM generate_series(
    date_trunc('day', greatest(amc_internal.window_start() - make_interval(days => pad_days),
                               amc_internal.retention_start())),
    amc_internal.window_end() - interval '1 microsecond',
    interval '1 day') AS g
$$;

-- Events of one kind over the window's days: key k is unique per day and event.
CREATE FUNCTION amc_internal.event_keys(pad_days int, base int)
  RETURNS TABLE (d date, k bigint) STABLE LANGUAGE sql AS $$
  SELECT days.d, (days.d - date '2000-01-01')::bigint * 1000000 + i
  FROM amc_internal.window_days(pad_days) AS days(d),
       generate_series(1, amc_internal.daily_rows(days.d, base)) AS i
$$;

-- Opaque shopper id. Low pool indices come up more often (more so for a higher skew), so
-- shoppers return, and buyers, drawn with a higher skew, have mostly seen ads before.
CREATE FUNCTION amc_internal.user_id(k bigint, salt int, skew float8) RETURNS text IMMUTABLE
  LANGUAGE sql AS $$
  SELECT 'amzn1.sandbox.' || lpad(to_hex(
    (floor(${userPoolSize} * power(amc_internal.u(k, salt), skew))::bigint * 2654435761) % 4294967296
  ), 8, '0')
$$;
`;
}

function dimensionTablesSql(): string {
  const ranges = (weights: number[]) => {
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    let from = 0;
    return weights.map((weight) => {
      const range = [from / total, (from + weight) / total];
      from += weight;
      return range;
    });
  };
  const dsp = syntheticCampaigns.filter((campaign) => campaign.channel === "dsp");
  const sponsored = syntheticCampaigns.filter((campaign) => campaign.channel !== "dsp");
  const trafficRanges = new Map(
    [dsp, sponsored].flatMap((group) => {
      const groupRanges = ranges(group.map((campaign) => campaign.trafficWeight));
      return group.map((campaign, index) => [campaign.campaignId, groupRanges[index]!] as const);
    }),
  );
  const conversionRanges = ranges(syntheticCampaigns.map((campaign) => campaign.conversionWeight));
  const campaignRows = syntheticCampaigns.map((campaign, index) => {
    const [trafficFrom, trafficTo] = trafficRanges.get(campaign.campaignId)!;
    const [conversionFrom, conversionTo] = conversionRanges[index]!;
    return `(${campaign.campaignId}, ${quote(campaign.name)}, ${quote(campaign.channel)}, ${trafficFrom}, ${trafficTo}, ${conversionFrom}, ${conversionTo}, ${campaign.cpmDollars}, ${campaign.clickThroughRate}, ${campaign.cpcDollars}, ${quote(campaign.creativeType)})`;
  });
  const productRanges = ranges(syntheticProducts.map((product) => product.weight));
  const productRows = syntheticProducts.map((product, index) => {
    const [from, to] = productRanges[index]!;
    return `(${quote(product.asin)}, ${quote(product.name)}, ${product.priceDollars}, ${from}, ${to})`;
  });
  return `
CREATE TABLE amc_internal.campaigns (
  campaign_id bigint PRIMARY KEY, campaign text, channel text,
  traffic_from float8, traffic_to float8, conversion_from float8, conversion_to float8,
  cpm_dollars float8, ctr float8, cpc_dollars float8, creative_type text);
INSERT INTO amc_internal.campaigns VALUES
  ${campaignRows.join(",\n  ")};
CREATE TABLE amc_internal.products (
  asin text PRIMARY KEY, item text, price numeric(10, 2), pick_from float8, pick_to float8);
INSERT INTO amc_internal.products VALUES
  ${productRows.join(",\n  ")};

-- Weighted picks by equality join: a uniform draw u maps to bucket floor(u * 1000), which an
-- index lookup turns into a campaign or product. A range join would test every row against
-- every campaign.
CREATE TABLE amc_internal.traffic_buckets (
  is_dsp boolean, bucket int, campaign_id bigint, PRIMARY KEY (is_dsp, bucket));
INSERT INTO amc_internal.traffic_buckets
  SELECT c.channel = 'dsp', b, c.campaign_id
  FROM generate_series(0, ${BUCKETS - 1}) AS b JOIN amc_internal.campaigns c
    ON (b + 0.5) / ${BUCKETS} >= c.traffic_from AND (b + 0.5) / ${BUCKETS} < c.traffic_to;
CREATE TABLE amc_internal.conversion_buckets (bucket int PRIMARY KEY, campaign_id bigint);
INSERT INTO amc_internal.conversion_buckets
  SELECT b, c.campaign_id
  FROM generate_series(0, ${BUCKETS - 1}) AS b JOIN amc_internal.campaigns c
    ON (b + 0.5) / ${BUCKETS} >= c.conversion_from AND (b + 0.5) / ${BUCKETS} < c.conversion_to;
CREATE TABLE amc_internal.product_buckets (bucket int PRIMARY KEY, asin text);
INSERT INTO amc_internal.product_buckets
  SELECT b, p.asin
  FROM generate_series(0, ${BUCKETS - 1}) AS b JOIN amc_internal.products p
    ON (b + 0.5) / ${BUCKETS} >= p.pick_from AND (b + 0.5) / ${BUCKETS} < p.pick_to;
ANALYZE amc_internal.campaigns, amc_internal.products, amc_internal.traffic_buckets,
  amc_internal.conversion_buckets, amc_internal.product_buckets;
`;
}

function dspEventsSql(): string {
  const advertiser = quote(syntheticAdvertiser.name);
  return `
CREATE VIEW amc_internal.dsp_events AS
WITH e AS (
  SELECT k,
    d + make_interval(secs => floor(86400 * amc_internal.u(k, 1))) AS impression_dt,
    amc_internal.u(k, 2) AS u_campaign, amc_internal.u(k, 3) AS u_device,
    amc_internal.u(k, 4) AS u_os, amc_internal.u(k, 5) AS u_env, amc_internal.u(k, 6) AS u_supply,
    amc_internal.u(k, 7) AS u_line, amc_internal.u(k, 8) AS u_creative,
    amc_internal.u(k, 10) AS u_click, amc_internal.u(k, 11) AS u_cost,
    amc_internal.u(k, 12) AS u_geo, amc_internal.u(k, 13) AS u_delay
  FROM amc_internal.event_keys(0, ${dailyVolumes.dspImpressions})
), dims AS (
  SELECT e.*, c.*,
    CASE WHEN c.creative_type = 'Streaming TV' THEN 'TV'
         WHEN u_device < 0.48 THEN 'Phone' WHEN u_device < 0.8 THEN 'PC'
         WHEN u_device < 0.9 THEN 'Tablet' ELSE 'TV' END AS device_type,
    1 + floor(3 * u_creative)::int AS creative_index,
    1 + floor(2 * u_line)::int AS line_index,
    1 + floor(10 * power(u_geo, 1.3))::int AS geo_index
  FROM e
  JOIN amc_internal.traffic_buckets tb
    ON tb.is_dsp AND tb.bucket = floor(e.u_campaign * ${BUCKETS})::int
  JOIN amc_internal.campaigns c ON c.campaign_id = tb.campaign_id
)
SELECT
  ${advertiser}::varchar AS advertiser,
  ${syntheticAdvertiser.advertiserId}::bigint AS advertiser_id,
  campaign::varchar AS campaign,
  campaign_id,
  (campaign || ' | ' || CASE line_index WHEN 1 THEN 'Core Audiences' ELSE 'Audience Extension' END)::varchar AS line_item,
  campaign_id * 10 + line_index AS line_item_id,
  (CASE WHEN creative_type = 'Display' THEN 'STANDARD_DISPLAY' ELSE 'VIDEO' END)::varchar AS line_item_type,
  (campaign || ' | Creative ' || creative_index)::varchar AS creative,
  campaign_id * 100 + creative_index AS creative_id,
  creative_type::varchar AS creative_type,
  (CASE WHEN creative_type = 'Display' THEN (ARRAY['300x250', '728x90', '160x600'])[creative_index]
        ELSE '1920x1080' END)::varchar AS creative_size,
  device_type::varchar AS device_type,
  (CASE device_type
     WHEN 'Phone' THEN CASE WHEN u_os < 0.55 THEN 'iOS' ELSE 'Android' END
     WHEN 'PC' THEN CASE WHEN u_os < 0.7 THEN 'Windows' ELSE 'macOS' END
     WHEN 'Tablet' THEN CASE WHEN u_os < 0.6 THEN 'iPadOS' ELSE 'Fire OS' END
     ELSE CASE WHEN u_os < 0.5 THEN 'Fire TV' ELSE 'Roku' END END)::varchar AS operating_system,
  (CASE WHEN device_type = 'TV' THEN 'App' WHEN device_type = 'PC' THEN 'Web'
        WHEN u_env < 0.6 THEN 'App' ELSE 'Web' END)::varchar AS environment_type,
  (CASE WHEN u_supply < 0.45 THEN 'Amazon O&O' WHEN u_supply < 0.75 THEN 'Amazon Publisher Direct'
        ELSE 'Third-party exchange' END)::varchar AS supply_source,
  (CASE WHEN u_supply < 0.2 THEN 'amazon.com' WHEN u_supply < 0.3 THEN 'imdb.com'
        WHEN u_supply < 0.45 THEN 'twitch.tv' WHEN u_supply < 0.75 THEN 'news.example'
        ELSE 'recipes.example' END)::varchar AS site,
  'US'::varchar AS iso_country_code,
  ('US-' || (ARRAY['CA', 'TX', 'FL', 'NY', 'PA', 'IL', 'OH', 'GA', 'WA', 'CO'])[geo_index])::varchar
    AS iso_state_province_code,
  (ARRAY['803', '623', '528', '501', '504', '602', '510', '524', '819', '751'])[geo_index]::varchar
    AS dma_code,
  ${quote(syntheticEntityId)}::varchar AS entity_id,
  'USD'::varchar AS currency_iso_code,
  1::bigint AS impressions,
  round(cpm_dollars * ${MILLICENTS_PER_DOLLAR / 1000} * (0.7 + 0.6 * u_cost))::bigint AS total_cost,
  round(cpm_dollars * ${MILLICENTS_PER_DOLLAR / 1000} * (0.7 + 0.6 * u_cost) * 0.8)::bigint AS supply_cost,
  impression_dt,
  impression_dt::date AS impression_date,
  extract(hour FROM impression_dt)::int AS impression_hour,
  amc_internal.user_id(k, 9, 1.6)::varchar AS user_id,
  'adUserId'::varchar AS user_id_type,
  ('rt-' || lpad(to_hex(k), 12, '0'))::varchar AS request_tag,
  u_click < ctr AS clicked,
  impression_dt + make_interval(secs => floor(2 + 600 * u_delay)) AS click_dt
FROM dims
WHERE impression_dt >= amc_internal.window_start()
  AND impression_dt < amc_internal.window_end()
  AND impression_dt >= amc_internal.retention_start();

CREATE VIEW amc.dsp_impressions AS
SELECT advertiser, advertiser_id, campaign, campaign_id, line_item, line_item_id, line_item_type,
  creative, creative_id, creative_type, creative_size, device_type, operating_system,
  environment_type, supply_source, site, iso_country_code, iso_state_province_code, dma_code,
  entity_id, currency_iso_code, impressions, total_cost, supply_cost, impression_dt,
  impression_date, impression_hour, user_id, user_id_type, request_tag
FROM amc_internal.dsp_events;

CREATE VIEW amc.dsp_clicks AS
SELECT advertiser, advertiser_id, campaign, campaign_id, line_item, line_item_id, line_item_type,
  creative, creative_id, creative_type, creative_size, device_type, operating_system,
  environment_type, supply_source, site, iso_country_code, iso_state_province_code, dma_code,
  entity_id, currency_iso_code, 1::bigint AS clicks, 0::bigint AS total_cost, click_dt,
  click_dt::date AS click_date, extract(hour FROM click_dt)::int AS click_hour, impression_dt,
  user_id, user_id_type, request_tag
FROM amc_internal.dsp_events
WHERE clicked;
`;
}

function sponsoredAdsSql(): string {
  return `
CREATE VIEW amc.sponsored_ads_traffic AS
WITH e AS (
  SELECT k,
    d + make_interval(secs => floor(86400 * amc_internal.u(k, 21))) AS event_dt,
    amc_internal.u(k, 22) AS u_campaign, amc_internal.u(k, 23) AS u_click,
    amc_internal.u(k, 24) AS u_cost, amc_internal.u(k, 25) AS u_keyword,
    amc_internal.u(k, 26) AS u_match, amc_internal.u(k, 27) AS u_placement,
    amc_internal.u(k, 28) AS u_term
  FROM amc_internal.event_keys(0, ${dailyVolumes.sponsoredAdsImpressions})
), dims AS (
  SELECT e.*, c.*, 1 + floor(8 * u_keyword)::int AS keyword_index,
    (u_click < c.ctr) AS clicked
  FROM e
  JOIN amc_internal.traffic_buckets tb
    ON NOT tb.is_dsp AND tb.bucket = floor(e.u_campaign * ${BUCKETS})::int
  JOIN amc_internal.campaigns c ON c.campaign_id = tb.campaign_id
), labelled AS (
  SELECT dims.*, (ARRAY['camping tent', 'sleeping bag', 'hiking backpack', 'camp stove',
    'water bottle', 'headlamp', 'trekking poles', 'camping chair'])[keyword_index] AS keyword
  FROM dims
)
SELECT
  channel::varchar AS ad_product_type,
  campaign::varchar AS campaign,
  campaign_id,
  (campaign || ' | Ad group ' || (1 + keyword_index % 2))::varchar AS ad_group,
  campaign_id * 10 + 1 + keyword_index % 2 AS ad_group_id,
  keyword::varchar AS targeting,
  (ARRAY['EXACT', 'PHRASE', 'BROAD'])[1 + floor(3 * u_match)::int]::varchar AS match_type,
  (keyword || (ARRAY['', ' waterproof', ' for 2', ' lightweight'])[1 + floor(4 * u_term)::int])::varchar
    AS customer_search_term,
  (CASE WHEN u_placement < 0.35 THEN 'Top of Search' WHEN u_placement < 0.75 THEN 'Rest of Search'
        ELSE 'Product Pages' END)::varchar AS placement_type,
  1::bigint AS impressions,
  (CASE WHEN clicked THEN 1 ELSE 0 END)::bigint AS clicks,
  (CASE WHEN clicked THEN round(cpc_dollars * ${MICROCENTS_PER_DOLLAR}::float8 * (0.7 + 0.6 * u_cost))
        ELSE 0 END)::bigint AS spend,
  event_dt,
  event_dt::date AS event_date,
  extract(hour FROM event_dt)::int AS event_hour,
  amc_internal.user_id(k, 29, 1.6)::varchar AS user_id,
  ${quote(syntheticEntityId)}::varchar AS entity_id,
  'USD'::varchar AS currency_iso_code
FROM labelled
WHERE event_dt >= amc_internal.window_start()
  AND event_dt < amc_internal.window_end()
  AND event_dt >= amc_internal.retention_start();
`;
}

function attributedEventsSql(view: string, padDays: number, windowColumn: string): string {
  // Both attribution views draw the same events keyed by traffic day. The conversion-time view
  // also looks 14 days back, because a conversion follows its ad by up to 14 days.
  return `
CREATE VIEW amc.${view} AS
WITH e AS (
  SELECT k,
    d + make_interval(secs => floor(86400 * amc_internal.u(k, 41))) AS traffic_event_dt,
    amc_internal.u(k, 42) AS u_campaign, amc_internal.u(k, 43) AS u_product,
    amc_internal.u(k, 44) AS u_subtype, amc_internal.u(k, 45) AS u_halo,
    amc_internal.u(k, 46) AS u_units, amc_internal.u(k, 47) AS u_ntb,
    amc_internal.u(k, 48) AS u_lag
  FROM amc_internal.event_keys(${padDays}, ${dailyVolumes.attributedEvents})
), dims AS (
  SELECT e.*, c.campaign, c.campaign_id, c.channel, p.asin, p.item, p.price,
    traffic_event_dt + make_interval(secs => floor(least(-ln(1 - 0.999 * u_lag) * 129600, 1209599)))
      AS conversion_event_dt,
    CASE WHEN u_subtype < 0.58 THEN 'detailPageView' WHEN u_subtype < 0.75 THEN 'shoppingCart'
         ELSE 'order' END AS subtype,
    u_halo < 0.2 AS halo,
    1 + floor(3 * power(u_units, 3))::int AS units
  FROM e
  JOIN amc_internal.conversion_buckets cb ON cb.bucket = floor(e.u_campaign * ${BUCKETS})::int
  JOIN amc_internal.campaigns c ON c.campaign_id = cb.campaign_id
  JOIN amc_internal.product_buckets pb ON pb.bucket = floor(e.u_product * ${BUCKETS})::int
  JOIN amc_internal.products p ON p.asin = pb.asin
), measured AS (
  SELECT dims.*,
    (subtype = 'order')::int AS is_order,
    (subtype = 'order' AND NOT halo)::int AS is_direct_order,
    (subtype = 'order' AND u_ntb < 0.38) AS ntb
  FROM dims
)
SELECT
  ${quote(syntheticAdvertiser.name)}::varchar AS advertiser,
  ${syntheticAdvertiser.advertiserId}::bigint AS advertiser_id,
  campaign::varchar AS campaign,
  campaign_id,
  channel::varchar AS ad_product_type,
  asin::varchar AS tracked_asin,
  item::varchar AS tracked_item,
  traffic_event_dt,
  traffic_event_dt::date AS traffic_event_date,
  extract(hour FROM traffic_event_dt)::int AS traffic_event_hour,
  conversion_event_dt,
  conversion_event_dt::date AS conversion_event_date,
  extract(hour FROM conversion_event_dt)::int AS conversion_event_hour,
  (CASE WHEN subtype = 'order' THEN 'purchase' ELSE 'website' END)::varchar AS conversion_event_category,
  subtype::varchar AS conversion_event_subtype,
  (CASE WHEN halo THEN 0 ELSE 1 END)::bigint AS conversions,
  1::bigint AS total_conversions,
  is_direct_order::bigint AS purchases,
  is_order::bigint AS total_purchases,
  (is_direct_order * units)::bigint AS units_sold,
  (is_order * units)::bigint AS total_units_sold,
  (is_direct_order * units * price)::numeric(12, 2) AS product_sales,
  (is_order * units * price)::numeric(12, 2) AS total_product_sales,
  ntb AS new_to_brand,
  (CASE WHEN ntb THEN is_order ELSE 0 END)::bigint AS new_to_brand_purchases,
  (CASE WHEN ntb THEN is_order * units ELSE 0 END)::bigint AS new_to_brand_units_sold,
  (CASE WHEN ntb THEN is_order * units * price ELSE 0 END)::numeric(12, 2) AS new_to_brand_product_sales,
  (subtype = 'detailPageView' AND NOT halo)::int::bigint AS detail_page_view,
  (subtype = 'detailPageView')::int::bigint AS total_detail_page_view,
  (subtype = 'shoppingCart' AND NOT halo)::int::bigint AS add_to_cart,
  (subtype = 'shoppingCart')::int::bigint AS total_add_to_cart,
  amc_internal.user_id(k, 49, 2.4)::varchar AS user_id,
  ${quote(syntheticEntityId)}::varchar AS entity_id,
  'USD'::varchar AS purchase_currency
FROM measured
WHERE ${windowColumn} >= amc_internal.window_start()
  AND ${windowColumn} < amc_internal.window_end()
  AND ${windowColumn} >= amc_internal.retention_start();
`;
}

function conversionsSql(): string {
  return `
CREATE VIEW amc.conversions AS
WITH e AS (
  SELECT k,
    d + make_interval(secs => floor(86400 * amc_internal.u(k, 61))) AS event_dt,
    amc_internal.u(k, 62) AS u_product, amc_internal.u(k, 63) AS u_subtype,
    amc_internal.u(k, 64) AS u_units, amc_internal.u(k, 65) AS u_ntb
  FROM amc_internal.event_keys(0, ${dailyVolumes.conversions})
), dims AS (
  SELECT e.*, p.asin, p.item, p.price,
    CASE WHEN u_subtype < 0.55 THEN 'detailPageView' WHEN u_subtype < 0.72 THEN 'shoppingCart'
         ELSE 'order' END AS subtype,
    1 + floor(3 * power(u_units, 3))::int AS units
  FROM e
  JOIN amc_internal.product_buckets pb ON pb.bucket = floor(e.u_product * ${BUCKETS})::int
  JOIN amc_internal.products p ON p.asin = pb.asin
)
SELECT
  ('conv-' || lpad(to_hex(k), 12, '0'))::varchar AS conversion_id,
  event_dt,
  event_dt::date AS event_date,
  extract(hour FROM event_dt)::int AS event_hour,
  'Conversion'::varchar AS event_type,
  (CASE WHEN subtype = 'order' THEN 'purchase' ELSE 'website' END)::varchar AS event_category,
  subtype::varchar AS event_subtype,
  (CASE subtype WHEN 'order' THEN 'Product purchased'
                WHEN 'shoppingCart' THEN 'Add to shopping cart'
                ELSE 'Product detail page viewed' END)::varchar AS event_type_description,
  asin::varchar AS tracked_asin,
  item::varchar AS tracked_item,
  1::bigint AS conversions,
  (subtype = 'order')::int::bigint AS purchases,
  (CASE WHEN subtype = 'order' THEN units ELSE 0 END)::bigint AS units_sold,
  (CASE WHEN subtype = 'order' THEN units * price ELSE 0 END)::numeric(12, 2) AS product_sales,
  (subtype = 'order' AND u_ntb < 0.35) AS new_to_brand,
  amc_internal.user_id(k, 69, 2.4)::varchar AS user_id,
  ${quote(syntheticEntityId)}::varchar AS entity_id,
  'USD'::varchar AS purchase_currency
FROM dims
WHERE event_dt >= amc_internal.window_start()
  AND event_dt < amc_internal.window_end()
  AND event_dt >= amc_internal.retention_start();
`;
}

function grantsSql(): string {
  return `
-- AMC's functions that PostgreSQL lacks. Plain SQL functions are inlined, so IF evaluates
-- like a CASE expression.
CREATE FUNCTION amc.seconds_between(a timestamp, b timestamp) RETURNS bigint IMMUTABLE
  LANGUAGE sql AS $$ SELECT floor(extract(epoch FROM (b - a)))::bigint $$;
CREATE FUNCTION amc.if(condition boolean, when_true anycompatible, when_false anycompatible)
  RETURNS anycompatible IMMUTABLE LANGUAGE sql
  AS $$ SELECT CASE WHEN condition THEN when_true ELSE when_false END $$;
CREATE FUNCTION amc.ifnull(value anycompatible, fallback anycompatible) RETURNS anycompatible
  IMMUTABLE LANGUAGE sql AS $$ SELECT coalesce(value, fallback) $$;
CREATE FUNCTION amc.nvl(value anycompatible, fallback anycompatible) RETURNS anycompatible
  IMMUTABLE LANGUAGE sql AS $$ SELECT coalesce(value, fallback) $$;
GRANT USAGE ON SCHEMA amc TO ${queryRole};
-- The views' helper functions are inlined into the query and planned as the query role, which
-- therefore needs USAGE on their schema. It gets no privilege on the schema's tables.
GRANT USAGE ON SCHEMA amc_internal TO ${queryRole};
GRANT SELECT ON ALL TABLES IN SCHEMA amc TO ${queryRole};
`;
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
