-- What the provider or directory said of the person at their latest sign-in through it (e-mail
-- address, name, group memberships), as JSON: a copy, refreshed at each sign-in, for the account
-- page, the data export and the group mapping to come. The link itself stays keyed by subject.
ALTER TABLE federated_identities ADD COLUMN attributes TEXT;

-- An administrator's mark that a provider enforces a second factor itself: its sign-ins that say so
-- (amr "mfa") satisfy Portero's MFA policy without asking for Portero's own second factor.
ALTER TABLE identity_providers ADD COLUMN trusts_provider_mfa BOOLEAN NOT NULL DEFAULT FALSE;
