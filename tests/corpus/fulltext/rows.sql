INSERT INTO article (slug, title, body, status, tags) VALUES
    ('reset-password', 'Resetting your password', 'Open the sign-in page and choose "Forgot password".', 'published', '{account,security}'),
    ('export-data', 'Exporting your data', 'Settings, then Export: a CSV file arrives by e-mail.', 'draft', '{}');
UPDATE article SET body = body || ' It takes a minute.' WHERE slug = 'reset-password';
INSERT INTO article_translation (article_id, language, config, title, body)
    SELECT id, 'fr', 'pg_catalog.french', 'Réinitialiser votre mot de passe', 'Ouvrez la page de connexion.'
    FROM article WHERE slug = 'reset-password';
INSERT INTO article_translation (article_id, language, title, body)
    SELECT id, 'de', 'Daten exportieren', 'Einstellungen, dann Export.' FROM article WHERE slug = 'export-data';
INSERT INTO search_query (query, results) VALUES ('pasword reset', 0), ('export', 1);
