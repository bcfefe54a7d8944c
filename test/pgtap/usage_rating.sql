-- usage billing (issue #15, README "Charge models"): usage_charge against hand-computed
-- amounts for every charge model, a free allowance before each, tier boundaries (inclusive
-- up_to), zero usage, exact rates of many decimals; usage_price_valid refusing malformed
-- prices (22023) and the price tables' CHECK using it; NULLs (22004).
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL client_min_messages = warning;

SELECT plan(36);

-- per unit ------------------------------------------------------------------------
SELECT is(usage_charge('per_unit', 720, 0.000463, NULL, 0, NULL, NULL, NULL), 0.333360,
          'per_unit: 720 GB-hours × 0.000463 = 0.33336, exact (rounded only on the line)');
SELECT is(usage_charge('per_unit', 720, 0.000463, NULL, 100, NULL, NULL, NULL), 0.287060,
          'per_unit with 100 free: 620 × 0.000463 = 0.28706');
SELECT is(usage_charge('per_unit', 50, 2, NULL, 100, NULL, NULL, NULL), 0::numeric,
          'per_unit: usage inside the free allowance costs 0');
SELECT is(usage_charge('per_unit', 0, 2, NULL, 0, NULL, NULL, NULL), 0::numeric, 'per_unit: no usage, 0');
SELECT is(usage_charge('per_unit', 1.5, 0.1234567891, NULL, 0, NULL, NULL, NULL), 0.18518518365,
          'per_unit: fractional quantity × a 10-decimal rate, exact');

-- graduated: 0.09 up to 1,000 units, 0.05 up to 10,000, 0.02 above; flat 1.00 in the second tier
SELECT is(usage_charge('graduated', 1000, NULL, NULL, 0, '{1000,10000,NULL}', '{0.09,0.05,0.02}', NULL), 90.00,
          'graduated: exactly at the first bound, all at 0.09 (bounds are inclusive)');
SELECT is(usage_charge('graduated', 1001, NULL, NULL, 0, '{1000,10000,NULL}', '{0.09,0.05,0.02}', NULL), 90.05,
          'graduated: one unit over the bound at 0.05');
SELECT is(usage_charge('graduated', 12000, NULL, NULL, 0, '{1000,10000,NULL}', '{0.09,0.05,0.02}', NULL), 580.00,
          'graduated: 1000 × 0.09 + 9000 × 0.05 + 2000 × 0.02 = 580');
SELECT is(usage_charge('graduated', 1200, NULL, NULL, 0, '{1000,10000,NULL}', '{0.09,0.05,0.02}', '{0,1,0}'), 101.00,
          'graduated with a flat fee on the second tier: 90 + 200 × 0.05 + 1 = 101');
SELECT is(usage_charge('graduated', 1000, NULL, NULL, 0, '{1000,10000,NULL}', '{0.09,0.05,0.02}', '{0,1,0}'), 90.00,
          '... the second tier''s flat fee only once usage reaches it');
SELECT is(usage_charge('graduated', 1500, NULL, NULL, 500, '{1000,NULL}', '{0.09,0.05}', NULL), 90.00,
          'graduated after 500 free units: 1000 billable, all in the first tier');
SELECT is(usage_charge('graduated', 0.5, NULL, NULL, 0, '{0.25,NULL}', '{2,1}', NULL), 0.75,
          'graduated with fractional bounds: 0.25 × 2 + 0.25 × 1');

-- volume: the whole quantity at the rate of the tier it falls in
SELECT is(usage_charge('volume', 1000, NULL, NULL, 0, '{1000,10000,NULL}', '{0.09,0.05,0.02}', NULL), 90.00,
          'volume: 1000 falls in the first tier (inclusive bound)');
SELECT is(usage_charge('volume', 1001, NULL, NULL, 0, '{1000,10000,NULL}', '{0.09,0.05,0.02}', NULL), 50.05,
          'volume: 1001 all at 0.05');
SELECT is(usage_charge('volume', 12000, NULL, NULL, 0, '{1000,10000,NULL}', '{0.09,0.05,0.02}', '{5,10,20}'), 260.00,
          'volume with the tier''s flat fee: 12000 × 0.02 + 20');
SELECT is(usage_charge('volume', 0, NULL, NULL, 0, '{1000,NULL}', '{0.09,0.05}', '{5,10}'), 0::numeric,
          'volume: no usage, no flat fee either');

-- package: 5.00 per started 1,000 units
SELECT is(usage_charge('package', 1000, 5, 1000, 0, NULL, NULL, NULL), 5::numeric, 'package: 1000 units, one package');
SELECT is(usage_charge('package', 1001, 5, 1000, 0, NULL, NULL, NULL), 10::numeric, 'package: 1001 units, two packages (rounded up)');
SELECT is(usage_charge('package', 2500, 5, 1000, 1500, NULL, NULL, NULL), 5::numeric, 'package after 1500 free: 1000 billable, one package');
SELECT is(usage_charge('package', 0.001, 5, 1000, 0, NULL, NULL, NULL), 5::numeric, 'package: any usage starts a package');

-- refused -------------------------------------------------------------------------
SELECT throws_ok($$SELECT usage_charge('flat', 1, 1, NULL, 0, NULL, NULL, NULL)$$, '22023',
                 'invalid price: unknown charge model "flat" (per_unit, graduated, volume or package)', 'unknown model: 22023');
SELECT throws_ok($$SELECT usage_charge(NULL, 1, 1, NULL, 0, NULL, NULL, NULL)$$, '22004', NULL, 'NULL model: 22004');
SELECT throws_ok($$SELECT usage_charge('per_unit', NULL, 1, NULL, 0, NULL, NULL, NULL)$$, '22004', NULL, 'NULL quantity: 22004');
SELECT throws_ok($$SELECT usage_charge('per_unit', -1, 1, NULL, 0, NULL, NULL, NULL)$$, '22023', NULL, 'negative quantity: 22023');
SELECT throws_ok($$SELECT usage_charge('per_unit', 'NaN', 1, NULL, 0, NULL, NULL, NULL)$$, '22023', NULL, 'NaN quantity: 22023');
SELECT throws_ok($$SELECT usage_price_valid('per_unit', NULL, NULL, 0, NULL, NULL, NULL)$$, '22023',
                 'invalid price: a per_unit price needs a rate', 'per_unit without a rate');
SELECT throws_ok($$SELECT usage_price_valid('per_unit', -0.01, NULL, 0, NULL, NULL, NULL)$$, '22023',
                 'invalid price: rate must not be negative', 'negative rate');
SELECT throws_ok($$SELECT usage_price_valid('per_unit', 'Infinity', NULL, 0, NULL, NULL, NULL)$$, '22023',
                 'invalid price: rate must be a finite number', 'infinite rate');
SELECT throws_ok($$SELECT usage_price_valid('package', 5, 0, 0, NULL, NULL, NULL)$$, '22023',
                 'invalid price: a package price needs a package_size above 0', 'package of 0 units');
SELECT throws_ok($$SELECT usage_price_valid('graduated', NULL, NULL, 0, '{1000,500,NULL}', '{1,2,3}', NULL)$$, '22023',
                 'invalid price: tier_up_to must be above 0 and increasing', 'tiers out of order');
SELECT throws_ok($$SELECT usage_price_valid('graduated', NULL, NULL, 0, '{1000,2000}', '{1,2}', NULL)$$, '22023',
                 'invalid price: every tier but the last needs an up_to, and the last has none (it is open-ended)',
                 'tiers that do not cover every quantity');
SELECT throws_ok($$SELECT usage_price_valid('volume', NULL, NULL, 0, '{1000,NULL}', '{1}', NULL)$$, '22023',
                 'invalid price: tier_up_to and tier_rate must have one element per tier', 'arrays of different lengths');
SELECT throws_ok($$SELECT usage_price_valid('volume', 1, NULL, 0, '{1000,NULL}', '{1,2}', NULL)$$, '22023',
                 'invalid price: a volume price has tiers, not a rate or package_size', 'a tiered price with a rate');
SELECT throws_ok($$SELECT usage_price_valid('per_unit', 1, NULL, NULL, NULL, NULL, NULL)$$, '22023',
                 'invalid price: free_units must not be null (0: no free allowance)', 'NULL free units');

-- the price tables check their rows with it
INSERT INTO invoice.products (product_id, product_name, unit, currency) VALUES ('ur-p', 'Rating product', 'unit', 'USD');
SELECT throws_ok($$INSERT INTO invoice.prices (product_id, effective_from, model, tier_up_to, tier_rate)
                   VALUES ('ur-p', '2024-01-01', 'graduated', '{0,NULL}', '{1,2}')$$, '22023',
                 'invalid price: tier_up_to must be above 0 and increasing', 'prices: a malformed row is refused');
SELECT lives_ok($$INSERT INTO invoice.prices (product_id, effective_from, model, rate, package_size)
                  VALUES ('ur-p', '2024-01-01', 'package', 5, 1000)$$, 'prices: a package price is taken');

SELECT * FROM finish();
ROLLBACK;
