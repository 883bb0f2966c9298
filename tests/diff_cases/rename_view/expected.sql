ALTER VIEW item_labels RENAME TO product_labels;
