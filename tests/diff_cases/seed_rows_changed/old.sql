CREATE TABLE plan (code varchar(20) PRIMARY KEY, price numeric(8, 2) NOT NULL, label text);
