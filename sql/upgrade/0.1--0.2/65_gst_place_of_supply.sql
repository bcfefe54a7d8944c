
-- 65_gst_place_of_supply: a change of the supplier also recomputes the drafts that follow its roundings
COMMENT ON FUNCTION invoice.invoice_place_of_supply_changed() IS 'trigger: GST drafts are recomputed when their place of supply may have moved, and drafts that follow the supplier''s tax or total rounding when the supplier changes (issued invoices keep theirs)';
