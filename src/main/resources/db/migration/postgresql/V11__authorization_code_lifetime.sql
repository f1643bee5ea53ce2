-- Authorization codes live one minute (FAPI 2.0 Security Profile 5.3.2.1), no longer Spring's five:
-- clients registered before get the lifetime new ones get (ClientSettingsWriter.AUTHORIZATION_CODE_LIFETIME).
-- The settings are Spring's JSON text; the one value every client was given is replaced, nothing else.
UPDATE oauth2_registered_client
SET token_settings = REPLACE(token_settings,
    '"settings.token.authorization-code-time-to-live":["java.time.Duration","PT5M"]',
    '"settings.token.authorization-code-time-to-live":["java.time.Duration","PT1M"]');
