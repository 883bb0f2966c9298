ALTER TYPE channel RENAME TO sales_channel;
