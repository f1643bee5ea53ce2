-- What the provider or directory said of the person at their latest sign-in through it (e-mail
-- address, name, group memberships), as JSON: a copy, refreshed at each sign-in, for the account
-- page, the data export and the group mapping to come. The link itself stays keyed by subject.
ALTER TABLE federated_identities ADD COLUMN attributes TEXT;
