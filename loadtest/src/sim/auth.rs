//! Local authorization: the Local Authorization List the server sends (SendLocalList) and the
//! Authorization Cache of tags the server accepted (ClearCache empties it).

use csms::ocpp::types::IdToken;
use csms::ocpp::v16::common::AuthorizationStatus;
use csms::ocpp::v16::send_local_list::{SendLocalListRequest, UpdateStatus, UpdateType};
use std::collections::BTreeMap;

/// Most entries one SendLocalList may carry (`SendLocalListMaxLength`).
pub const SEND_MAX: usize = 100;
/// Most entries the list holds (`LocalAuthListMaxLength`).
pub const LIST_MAX: usize = 1000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocalAuth {
    /// Version of the local list; 0 when none was received.
    pub version: i32,
    /// Tag key (upper case) -> status.
    pub list: BTreeMap<String, AuthorizationStatus>,
    pub cache: BTreeMap<String, AuthorizationStatus>,
}

impl LocalAuth {
    /// SendLocalList.
    pub fn update(&mut self, req: &SendLocalListRequest) -> UpdateStatus {
        let entries = req.local_authorization_list.as_deref().unwrap_or_default();
        if entries.len() > SEND_MAX {
            return UpdateStatus::Failed;
        }
        if req.update_type == UpdateType::Differential && req.list_version <= self.version {
            return UpdateStatus::VersionMismatch;
        }
        let mut list = match req.update_type {
            UpdateType::Full => BTreeMap::new(),
            UpdateType::Differential => self.list.clone(),
        };
        for entry in entries {
            match &entry.id_tag_info {
                Some(info) => list.insert(entry.id_tag.key(), info.status),
                None => list.remove(&entry.id_tag.key()),
            };
        }
        if list.len() > LIST_MAX {
            return UpdateStatus::Failed;
        }
        self.list = list;
        self.version = req.list_version;
        UpdateStatus::Accepted
    }

    /// What the list, then the cache, say about a tag.
    pub fn lookup(&self, tag: &IdToken) -> Option<AuthorizationStatus> {
        let key = tag.key();
        self.list
            .get(&key)
            .or_else(|| self.cache.get(&key))
            .copied()
    }

    /// Remembers the server's verdict.
    pub fn remember(&mut self, tag: &IdToken, status: AuthorizationStatus) {
        self.cache.insert(tag.key(), status);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use csms::ocpp::v16::common::IdTagInfo;
    use csms::ocpp::v16::send_local_list::AuthorizationData;

    fn req(
        version: i32,
        kind: UpdateType,
        entries: &[(&str, Option<AuthorizationStatus>)],
    ) -> SendLocalListRequest {
        SendLocalListRequest {
            list_version: version,
            update_type: kind,
            local_authorization_list: Some(
                entries
                    .iter()
                    .map(|(tag, status)| AuthorizationData {
                        id_tag: IdToken::new(*tag).unwrap(),
                        id_tag_info: status.map(IdTagInfo::new),
                    })
                    .collect(),
            ),
        }
    }

    #[test]
    fn full_and_differential_updates() {
        use AuthorizationStatus::{Accepted, Blocked};
        let mut auth = LocalAuth::default();
        let tag = |s: &str| IdToken::new(s).unwrap();
        assert_eq!(
            auth.update(&req(
                3,
                UpdateType::Full,
                &[("a", Some(Accepted)), ("b", Some(Blocked))]
            )),
            UpdateStatus::Accepted
        );
        assert_eq!(auth.lookup(&tag("A")), Some(Accepted));
        assert_eq!(
            auth.update(&req(3, UpdateType::Differential, &[("c", Some(Accepted))])),
            UpdateStatus::VersionMismatch
        );
        assert_eq!(
            auth.update(&req(
                4,
                UpdateType::Differential,
                &[("a", None), ("c", Some(Accepted))]
            )),
            UpdateStatus::Accepted
        );
        assert_eq!(auth.lookup(&tag("a")), None);
        assert_eq!(auth.lookup(&tag("c")), Some(Accepted));
        assert_eq!(auth.version, 4);
        auth.remember(&tag("z"), Blocked);
        assert_eq!(auth.lookup(&tag("Z")), Some(Blocked));
    }
}
