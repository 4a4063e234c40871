-- Products, price lists and discount rules; opportunity lines; competitors (profile, market share,
-- their products, field observations); closing opportunities as won or lost.
-- Money is integer minor units with its currency; percentages are basis points (12.5 % = 1250);
-- quantities are thousandths of a unit (2.5 m = 2500).

CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    search_key TEXT NOT NULL,
    family TEXT NOT NULL,
    unit TEXT NOT NULL,
    list_price_minor INTEGER NOT NULL CHECK (list_price_minor >= 0),
    currency TEXT NOT NULL CHECK (currency IN ('RSD', 'EUR')),
    -- Cost per unit in the product's currency; managers and admins only.
    unit_cost_minor INTEGER CHECK (unit_cost_minor >= 0),
    active INTEGER NOT NULL DEFAULT 1,
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX products_name ON products(search_key, id);
CREATE INDEX products_family ON products(family, search_key, id);

-- A price list applies to one currency, to one customer category or (NULL) to all, within its dates.
CREATE TABLE price_lists (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    currency TEXT NOT NULL CHECK (currency IN ('RSD', 'EUR')),
    category TEXT CHECK (category IN ('A', 'B', 'C')),
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX price_lists_currency ON price_lists(currency, valid_from);

CREATE TABLE price_list_items (
    price_list_id INTEGER NOT NULL REFERENCES price_lists(id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products(id),
    price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
    PRIMARY KEY (price_list_id, product_id)
);
CREATE INDEX price_list_items_product ON price_list_items(product_id, price_list_id);

-- Discounts and rebates: a percentage or an amount per unit, for one product or a whole family,
-- optionally only for one customer category and from a minimum quantity, within dates.
CREATE TABLE discount_rules (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    product_id INTEGER REFERENCES products(id),
    family TEXT,
    category TEXT CHECK (category IN ('A', 'B', 'C')),
    min_quantity_milli INTEGER NOT NULL DEFAULT 0,
    percent_bp INTEGER CHECK (percent_bp BETWEEN 0 AND 10000),
    amount_minor INTEGER CHECK (amount_minor >= 0),
    currency TEXT CHECK (currency IN ('RSD', 'EUR')),
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((product_id IS NULL) <> (family IS NULL)),
    CHECK ((percent_bp IS NULL) <> (amount_minor IS NULL))
);
CREATE INDEX discount_rules_product ON discount_rules(product_id);
CREATE INDEX discount_rules_family ON discount_rules(family);

-- What an opportunity sells. Prices are in the opportunity's currency; the unit cost is copied when
-- the line is priced, so the margin of a won deal does not change when the catalog does.
CREATE TABLE opportunity_lines (
    id INTEGER PRIMARY KEY,
    opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    product_id INTEGER NOT NULL REFERENCES products(id),
    quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),
    unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    price_source TEXT NOT NULL CHECK (price_source IN ('price_list', 'list_price', 'manual')),
    price_list_id INTEGER REFERENCES price_lists(id),
    discount_bp INTEGER NOT NULL DEFAULT 0 CHECK (discount_bp BETWEEN 0 AND 10000),
    discount_minor INTEGER NOT NULL DEFAULT 0 CHECK (discount_minor >= 0),
    discount_rule_id INTEGER REFERENCES discount_rules(id),
    total_minor INTEGER NOT NULL,
    unit_cost_minor INTEGER,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX opportunity_lines_opportunity ON opportunity_lines(opportunity_id, position, id);
CREATE INDEX opportunity_lines_product ON opportunity_lines(product_id);

-- Competitors on a deal.
CREATE TABLE opportunity_competitors (
    opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    competitor_id INTEGER NOT NULL REFERENCES accounts(id),
    added_at TEXT NOT NULL,
    added_by INTEGER REFERENCES users(id),
    PRIMARY KEY (opportunity_id, competitor_id)
);
CREATE INDEX opportunity_competitors_competitor ON opportunity_competitors(competitor_id, opportunity_id);

-- How a deal closed. Won: the actual value and date are the opportunity's amount and close date.
ALTER TABLE opportunities ADD COLUMN closed_at TEXT;
ALTER TABLE opportunities ADD COLUMN close_reason_id INTEGER REFERENCES picklist_values(id);
ALTER TABLE opportunities ADD COLUMN won_by_id INTEGER REFERENCES accounts(id);
ALTER TABLE opportunities ADD COLUMN close_notes TEXT;
CREATE INDEX opportunities_won_by ON opportunities(won_by_id);
CREATE INDEX opportunities_close_reason ON opportunities(close_reason_id);

INSERT INTO picklist_values (list, code, label_en, label_sr, position) VALUES
    ('loss_reason', 'price', 'Price', 'Cena', 1),
    ('loss_reason', 'quality', 'Quality', 'Kvalitet', 2),
    ('loss_reason', 'service', 'Service', 'Usluga', 3),
    ('loss_reason', 'relationship', 'Relationship', 'Odnos sa kupcem', 4),
    ('loss_reason', 'timing', 'Timing', 'Vreme', 5),
    ('loss_reason', 'no_decision', 'No decision', 'Bez odluke', 6),
    ('loss_reason', 'other', 'Other', 'Ostalo', 7);

-- A competitor's profile (the competitor is an account with the competitor relationship).
CREATE TABLE competitor_profiles (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    strengths TEXT,
    weaknesses TEXT,
    threat TEXT CHECK (threat IN ('low', 'medium', 'high')),
    -- Regions where it is active, one per line.
    regions TEXT,
    potential_minor INTEGER CHECK (potential_minor >= 0),
    potential_currency TEXT CHECK (potential_currency IN ('RSD', 'EUR')),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE market_shares (
    id INTEGER PRIMARY KEY,
    competitor_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    share_bp INTEGER NOT NULL CHECK (share_bp BETWEEN 0 AND 10000),
    region TEXT,
    family TEXT,
    as_of TEXT NOT NULL,
    source TEXT,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX market_shares_competitor ON market_shares(competitor_id, as_of, id);

CREATE TABLE competitor_products (
    id INTEGER PRIMARY KEY,
    competitor_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    search_key TEXT NOT NULL,
    family TEXT,
    quality INTEGER CHECK (quality BETWEEN 1 AND 5),
    service INTEGER CHECK (service BETWEEN 1 AND 5),
    notes TEXT,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX competitor_products_competitor ON competitor_products(competitor_id, search_key, id);

-- Which of our products counters a competitor's product.
CREATE TABLE competitor_product_counters (
    competitor_product_id INTEGER NOT NULL REFERENCES competitor_products(id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products(id),
    PRIMARY KEY (competitor_product_id, product_id)
);
CREATE INDEX competitor_product_counters_product ON competitor_product_counters(product_id);

-- What salespeople see at customers: a competitor's price, rebate, terms and how customers rate it.
CREATE TABLE field_observations (
    id INTEGER PRIMARY KEY,
    competitor_id INTEGER NOT NULL REFERENCES accounts(id),
    competitor_product_id INTEGER REFERENCES competitor_products(id),
    customer_id INTEGER REFERENCES accounts(id),
    opportunity_id INTEGER REFERENCES opportunities(id),
    observed_on TEXT NOT NULL,
    region TEXT,
    price_minor INTEGER CHECK (price_minor >= 0),
    currency TEXT CHECK (currency IN ('RSD', 'EUR')),
    rebate_bp INTEGER CHECK (rebate_bp BETWEEN 0 AND 10000),
    payment_terms TEXT,
    quality INTEGER CHECK (quality BETWEEN 1 AND 5),
    service INTEGER CHECK (service BETWEEN 1 AND 5),
    why_liked TEXT,
    note TEXT,
    owner_id INTEGER NOT NULL REFERENCES users(id),
    team_id INTEGER REFERENCES teams(id),
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX field_observations_competitor ON field_observations(competitor_id, observed_on, id);
CREATE INDEX field_observations_product ON field_observations(competitor_product_id, observed_on, id);
CREATE INDEX field_observations_customer ON field_observations(customer_id, observed_on, id);
CREATE INDEX field_observations_opportunity ON field_observations(opportunity_id);
