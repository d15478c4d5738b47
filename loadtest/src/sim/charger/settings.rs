//! Operations that change or read the charger's settings: configuration keys, the local
//! authorization list and cache, vendor data transfer, and smart charging profiles.

use super::Charger;
use crate::sim::smart::Target;
use chrono::Utc;
use csms::ocpp::types::CiString;
use csms::ocpp::v16::change_configuration::{
    ChangeConfigurationRequest, ChangeConfigurationResponse, ConfigurationStatus,
};
use csms::ocpp::v16::clear_cache::{ClearCacheResponse, ClearCacheStatus};
use csms::ocpp::v16::clear_charging_profile::{
    ClearChargingProfileRequest, ClearChargingProfileResponse, ClearChargingProfileStatus,
};
use csms::ocpp::v16::data_transfer::{
    DataTransferRequest, DataTransferResponse, DataTransferStatus,
};
use csms::ocpp::v16::get_composite_schedule::{
    GetCompositeScheduleRequest, GetCompositeScheduleResponse, GetCompositeScheduleStatus,
};
use csms::ocpp::v16::get_configuration::{
    GetConfigurationRequest, GetConfigurationResponse, KeyValue,
};
use csms::ocpp::v16::get_local_list_version::GetLocalListVersionResponse;
use csms::ocpp::v16::send_local_list::{SendLocalListRequest, SendLocalListResponse, UpdateStatus};
use csms::ocpp::v16::set_charging_profile::{
    SetChargingProfileRequest, SetChargingProfileResponse,
};
use std::time::Instant;

impl Charger {
    pub(super) fn get_configuration(
        &self,
        req: GetConfigurationRequest,
    ) -> GetConfigurationResponse {
        let names: Vec<&str> = req.key.iter().flatten().map(|k| k.as_str()).collect();
        let (known, unknown) = self.config.get(&names);
        let configuration_key = known
            .into_iter()
            .map(|(key, readonly, value)| KeyValue {
                key: CiString::truncate(key),
                readonly,
                value: value.map(|v| CiString::truncate(&v)),
            })
            .collect();
        GetConfigurationResponse {
            configuration_key: Some(configuration_key),
            unknown_key: (!unknown.is_empty())
                .then(|| unknown.iter().map(|k| CiString::truncate(k)).collect()),
        }
    }

    pub(super) fn change_configuration(
        &mut self,
        req: ChangeConfigurationRequest,
        now: Instant,
    ) -> ChangeConfigurationResponse {
        let status = self.config.change(&req.key, &req.value);
        if status == ConfigurationStatus::Accepted {
            self.note(format!("configuration {} = {}", req.key, req.value));
            if req.key.eq_ignore_ascii_case("MeterValueSampleInterval") {
                self.reschedule_samples(now);
            }
        }
        ChangeConfigurationResponse { status }
    }

    pub(super) fn send_local_list(&mut self, req: SendLocalListRequest) -> SendLocalListResponse {
        let status = if self.config.flag("LocalAuthListEnabled") {
            self.auth.update(&req)
        } else {
            UpdateStatus::NotSupported
        };
        SendLocalListResponse { status }
    }

    pub(super) fn local_list_version(&self) -> GetLocalListVersionResponse {
        GetLocalListVersionResponse {
            list_version: if self.config.flag("LocalAuthListEnabled") {
                i64::from(self.auth.version)
            } else {
                -1
            },
        }
    }

    pub(super) fn clear_cache(&mut self) -> ClearCacheResponse {
        self.auth.cache.clear();
        ClearCacheResponse {
            status: ClearCacheStatus::Accepted,
        }
    }

    /// Known vendor: our own (echoes the data back); anything else is UnknownVendorId.
    pub(super) fn data_transfer(&self, req: DataTransferRequest) -> DataTransferResponse {
        let ours = req.vendor_id.eq_ignore_ascii_case(self.model.vendor);
        DataTransferResponse {
            status: if ours {
                DataTransferStatus::Accepted
            } else {
                DataTransferStatus::UnknownVendorId
            },
            data: if ours { req.data } else { None },
        }
    }

    pub(super) fn set_charging_profile(
        &mut self,
        req: SetChargingProfileRequest,
        now: Instant,
    ) -> SetChargingProfileResponse {
        let target = Target {
            connectors: self.connectors.len() as u32,
            max_stack_level: self.config.int("ChargeProfileMaxStackLevel") as i32,
            transaction_id: self.transaction_id(req.connector_id),
            model: self.model,
        };
        let status = self
            .profiles
            .set(req.connector_id, req.cs_charging_profiles, &target);
        self.note(format!(
            "charging profile on connector {}: {}",
            req.connector_id,
            status.as_str()
        ));
        self.tick(now);
        SetChargingProfileResponse { status }
    }

    pub(super) fn clear_charging_profile(
        &mut self,
        req: ClearChargingProfileRequest,
        now: Instant,
    ) -> ClearChargingProfileResponse {
        let status = if self.profiles.clear(&req) {
            ClearChargingProfileStatus::Accepted
        } else {
            ClearChargingProfileStatus::Unknown
        };
        self.tick(now);
        ClearChargingProfileResponse { status }
    }

    pub(super) fn composite_schedule(
        &self,
        req: GetCompositeScheduleRequest,
    ) -> GetCompositeScheduleResponse {
        let n = req.connector_id;
        if n > self.connectors.len() as u32 {
            return GetCompositeScheduleResponse {
                status: GetCompositeScheduleStatus::Rejected,
                connector_id: None,
                schedule_start: None,
                charging_schedule: None,
            };
        }
        let now = Utc::now();
        let tx_start = n
            .checked_sub(1)
            .and_then(|i| self.sessions.get(i as usize))
            .and_then(|s| s.as_ref().map(|s| s.started));
        let schedule = self.profiles.composite(
            n,
            req.duration,
            req.charging_rate_unit,
            self.model,
            now,
            tx_start,
        );
        GetCompositeScheduleResponse {
            status: GetCompositeScheduleStatus::Accepted,
            connector_id: Some(n.into()),
            schedule_start: schedule.start_schedule,
            charging_schedule: Some(schedule),
        }
    }
}
