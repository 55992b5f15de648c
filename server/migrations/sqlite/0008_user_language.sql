-- A user's chosen language for the dashboard (NULL: follow the browser's Accept-Language).
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('en', 'it'));
