-- Advanced find's plans on Postgres. Every query of a user who is not an administrator carries the
-- visibility rule `owner_id = me OR team_id = my team`, on the records asked for and on each related
-- record a condition reaches; teams are regional, so an account's region and its owner and team go
-- together. The planner took them to be independent: "the contact's account is in Šumadija" (1 account
-- in 5) and "the salesperson of that region may see the account" (1 in 5) made 1 in 25 to it, where it
-- is 1 in 5, and a page of such contacts was read by two parallel workers over the name index instead
-- of one walk of it (200 ms against 25 at 1,000,000 contacts, docs/performance.md, W9). Statistics of
-- the most common combinations of the three (100 by default: a company of up to 100 owners of
-- accounts has them all) let it see that.
CREATE STATISTICS accounts_region_visibility (mcv) ON region, owner_id, team_id FROM accounts;
ANALYZE accounts;
