// The tables as both backends have them after their migrations (migrations/sqlite and
// migrations/postgres); `db::schema_check` compares a live database against this file.

diesel::table! {
    certificate_requests (id) {
        id -> Integer,
        charge_point_id -> Text,
        csr -> Text,
        certificate_type -> Nullable<Text>,
        received_at -> Timestamp,
    }
}

diesel::table! {
    charge_points (id) {
        id -> Text,
        registration_status -> Nullable<Text>,
        boot_status -> Nullable<Text>,
        vendor -> Nullable<Text>,
        model -> Nullable<Text>,
        charge_point_serial -> Nullable<Text>,
        charge_box_serial -> Nullable<Text>,
        firmware_version -> Nullable<Text>,
        iccid -> Nullable<Text>,
        imsi -> Nullable<Text>,
        meter_type -> Nullable<Text>,
        meter_serial -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        connected -> Bool,
        last_seen -> Nullable<Timestamp>,
        last_boot_at -> Nullable<Timestamp>,
        firmware_status -> Nullable<Text>,
        diagnostics_status -> Nullable<Text>,
        created_at -> Timestamp,
        heartbeat_interval_secs -> Nullable<Integer>,
        connection_replacements -> Integer,
        last_replaced_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    charger_events (id) {
        id -> BigInt,
        charge_point_id -> Text,
        kind -> Text,
        status -> Text,
        request_id -> Nullable<Integer>,
        detail -> Nullable<Text>,
        event_at -> Timestamp,
        received_at -> Timestamp,
    }
}

diesel::table! {
    connectors (charge_point_id, connector_id) {
        charge_point_id -> Text,
        connector_id -> Integer,
        status -> Text,
        error_code -> Text,
        info -> Nullable<Text>,
        vendor_id -> Nullable<Text>,
        vendor_error_code -> Nullable<Text>,
        status_at -> Timestamp,
        updated_at -> Timestamp,
        available_since -> Nullable<Timestamp>,
    }
}

diesel::table! {
    data_transfers (id) {
        id -> BigInt,
        charge_point_id -> Text,
        vendor_id -> Text,
        message_id -> Nullable<Text>,
        data -> Nullable<Text>,
        status -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    id_tags (id_tag) {
        id_tag -> Text,
        status -> Text,
        expiry_date -> Nullable<Timestamp>,
        parent_id_tag -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        max_active_transactions -> Nullable<Integer>,
    }
}

diesel::table! {
    message_log (id) {
        id -> BigInt,
        charge_point_id -> Text,
        direction -> Text,
        message_type -> Integer,
        message_id -> Nullable<Text>,
        action -> Nullable<Text>,
        payload -> Text,
        logged_at -> Timestamp,
    }
}

diesel::table! {
    meter_values (id) {
        id -> BigInt,
        charge_point_id -> Text,
        connector_id -> Integer,
        transaction_id -> Nullable<Integer>,
        sampled_at -> Timestamp,
        value -> Text,
        context -> Nullable<Text>,
        format -> Nullable<Text>,
        measurand -> Nullable<Text>,
        phase -> Nullable<Text>,
        location -> Nullable<Text>,
        unit -> Nullable<Text>,
        received_at -> Timestamp,
    }
}

diesel::table! {
    status_history (id) {
        id -> BigInt,
        charge_point_id -> Text,
        connector_id -> Integer,
        status -> Text,
        error_code -> Text,
        info -> Nullable<Text>,
        vendor_id -> Nullable<Text>,
        vendor_error_code -> Nullable<Text>,
        status_at -> Timestamp,
        received_at -> Timestamp,
    }
}

diesel::table! {
    transaction_anomalies (id) {
        id -> BigInt,
        charge_point_id -> Text,
        transaction_id -> Nullable<Integer>,
        kind -> Text,
        payload -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    transactions (id) {
        id -> Integer,
        charge_point_id -> Text,
        connector_id -> Integer,
        id_tag -> Text,
        id_tag_status -> Text,
        start_time -> Timestamp,
        meter_start -> BigInt,
        reservation_id -> Nullable<Integer>,
        stop_time -> Nullable<Timestamp>,
        meter_stop -> Nullable<BigInt>,
        stop_reason -> Nullable<Text>,
        stop_id_tag -> Nullable<Text>,
        started_at -> Timestamp,
        stopped_at -> Nullable<Timestamp>,
        ended_by -> Nullable<Text>,
        end_note -> Nullable<Text>,
        start_answer_lost -> Bool,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        username -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        token_version -> Integer,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Integer,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        role -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        actor -> Text,
        action -> Text,
        target -> Nullable<Text>,
        request -> Nullable<Text>,
        result -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    charger_configuration (charge_point_id, key) {
        charge_point_id -> Text,
        key -> Text,
        value -> Nullable<Text>,
        readonly -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    local_list_versions (charge_point_id) {
        charge_point_id -> Text,
        list_version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reservations (id) {
        id -> Integer,
        charge_point_id -> Text,
        connector_id -> Integer,
        id_tag -> Text,
        parent_id_tag -> Nullable<Text>,
        expiry_date -> Timestamp,
        status -> Text,
        transaction_id -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    charging_profiles (id) {
        id -> Integer,
        name -> Text,
        profile -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    installed_charging_profiles (charge_point_id, charging_profile_id) {
        charge_point_id -> Text,
        connector_id -> Integer,
        charging_profile_id -> Integer,
        purpose -> Text,
        stack_level -> Integer,
        transaction_id -> Nullable<Integer>,
        profile -> Text,
        installed_at -> Timestamp,
    }
}

diesel::table! {
    firmware_requests (id) {
        id -> Integer,
        charge_point_id -> Text,
        kind -> Text,
        location -> Text,
        retrieve_date -> Timestamp,
        request_id -> Nullable<Integer>,
        status -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    diagnostics_requests (id) {
        id -> Integer,
        charge_point_id -> Text,
        kind -> Text,
        log_type -> Nullable<Text>,
        location -> Text,
        start_time -> Nullable<Timestamp>,
        stop_time -> Nullable<Timestamp>,
        request_id -> Nullable<Integer>,
        status -> Nullable<Text>,
        file_name -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(connectors -> charge_points (charge_point_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_keys,
    audit_log,
    users,
    certificate_requests,
    charge_points,
    charger_events,
    connectors,
    data_transfers,
    id_tags,
    message_log,
    meter_values,
    status_history,
    transaction_anomalies,
    transactions,
    charger_configuration,
    local_list_versions,
    reservations,
    charging_profiles,
    installed_charging_profiles,
    firmware_requests,
    diagnostics_requests,
);
