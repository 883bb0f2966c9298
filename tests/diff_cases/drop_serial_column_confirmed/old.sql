ALTER TABLE item ADD COLUMN seq_no bigserial;
