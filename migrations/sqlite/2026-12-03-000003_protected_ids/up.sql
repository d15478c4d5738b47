-- The handshake of an unknown charger looks for a protected one whose id differs only in case.
CREATE INDEX charge_points_protected_folded ON charge_points (lower(id))
    WHERE password_hash IS NOT NULL;
