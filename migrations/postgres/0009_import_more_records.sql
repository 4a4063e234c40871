-- Imports of leads, products, opportunities and activities.
ALTER TABLE imports DROP CONSTRAINT IF EXISTS imports_entity_check;
ALTER TABLE imports ADD CONSTRAINT imports_entity_check
    CHECK (entity IN ('account', 'contact', 'lead', 'product', 'opportunity', 'activity'));

ALTER TABLE leads ADD COLUMN import_id BIGINT REFERENCES imports(id);
ALTER TABLE products ADD COLUMN import_id BIGINT REFERENCES imports(id);
ALTER TABLE opportunities ADD COLUMN import_id BIGINT REFERENCES imports(id);
ALTER TABLE activities ADD COLUMN import_id BIGINT REFERENCES imports(id);
CREATE INDEX leads_import ON leads(import_id) WHERE import_id IS NOT NULL;
CREATE INDEX products_import ON products(import_id) WHERE import_id IS NOT NULL;
CREATE INDEX opportunities_import ON opportunities(import_id) WHERE import_id IS NOT NULL;
CREATE INDEX activities_import ON activities(import_id) WHERE import_id IS NOT NULL;
-- An imported lead list is matched against open leads by e-mail (indexed since 0004) and PIB.
CREATE INDEX leads_pib ON leads(pib) WHERE pib IS NOT NULL;
