//! Answers to `$SRV.PING`, `$SRV.INFO` and `$SRV.STATS`, at all three levels of the NATS
//! services protocol: every service, every instance of one name, and one instance by id.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_nats::{Client, Message};
use futures::StreamExt;
use tokio::task::JoinHandle;
use tracing::warn;

use super::ServeError;
use super::protocol::{
    EndpointInfo, INFO_RESPONSE_TYPE, InfoResponse, PING_RESPONSE_TYPE, PingResponse,
    STATS_RESPONSE_TYPE, StatsResponse,
};
use super::server::EndpointState;

/// Access to the endpoints' live state, for INFO and STATS.
pub(super) trait EndpointSource: Send + Sync {
    fn endpoints(&self) -> &[EndpointState];
}

/// Identity of one service instance.
pub(super) struct Discovery {
    pub(super) id: String,
    pub(super) name: &'static str,
    pub(super) version: &'static str,
    pub(super) description: &'static str,
    pub(super) metadata: BTreeMap<String, String>,
    pub(super) started: String,
    pub(super) shared_endpoints: Arc<dyn EndpointSource>,
}

#[derive(Clone, Copy)]
enum Verb {
    Ping,
    Info,
    Stats,
}

impl Verb {
    const ALL: [Self; 3] = [Self::Ping, Self::Info, Self::Stats];

    fn as_str(self) -> &'static str {
        match self {
            Self::Ping => "PING",
            Self::Info => "INFO",
            Self::Stats => "STATS",
        }
    }
}

/// Subscribes to the nine `$SRV` subjects of this instance and answers them in one task.
pub(super) async fn start(
    client: &Client,
    discovery: Arc<Discovery>,
) -> Result<JoinHandle<()>, ServeError> {
    let mut streams = Vec::new();
    for verb in Verb::ALL {
        let subjects = [
            format!("$SRV.{}", verb.as_str()),
            format!("$SRV.{}.{}", verb.as_str(), discovery.name),
            format!("$SRV.{}.{}.{}", verb.as_str(), discovery.name, discovery.id),
        ];
        for subject in subjects {
            let subscriber = client
                .subscribe(subject.clone())
                .await
                .map_err(|source| ServeError::Subscribe { subject, source })?;
            streams.push(subscriber.map(move |message| (verb, message)).boxed());
        }
    }
    let client = client.clone();
    let mut requests = futures::stream::select_all(streams);
    Ok(tokio::spawn(async move {
        while let Some((verb, message)) = requests.next().await {
            answer(&client, &discovery, verb, &message).await;
        }
    }))
}

async fn answer(client: &Client, discovery: &Discovery, verb: Verb, message: &Message) {
    let Some(reply_to) = message.reply.clone() else {
        return;
    };
    let body = match verb {
        Verb::Ping => serde_json::to_vec(&ping(discovery)),
        Verb::Info => serde_json::to_vec(&info(discovery)),
        Verb::Stats => serde_json::to_vec(&stats(discovery)),
    };
    let result = match body {
        Ok(body) => client
            .publish(reply_to, body.into())
            .await
            .map_err(|e| e.to_string()),
        Err(error) => Err(error.to_string()),
    };
    if let Err(error) = result {
        warn!(verb = verb.as_str(), service = discovery.name, error = %error, "failed to answer $SRV request");
    }
}

fn ping(discovery: &Discovery) -> PingResponse {
    PingResponse {
        kind: PING_RESPONSE_TYPE.to_owned(),
        name: discovery.name.to_owned(),
        id: discovery.id.clone(),
        version: discovery.version.to_owned(),
        metadata: discovery.metadata.clone(),
    }
}

fn info(discovery: &Discovery) -> InfoResponse {
    InfoResponse {
        kind: INFO_RESPONSE_TYPE.to_owned(),
        name: discovery.name.to_owned(),
        id: discovery.id.clone(),
        version: discovery.version.to_owned(),
        description: discovery.description.to_owned(),
        metadata: discovery.metadata.clone(),
        endpoints: discovery
            .shared_endpoints
            .endpoints()
            .iter()
            .map(|endpoint| EndpointInfo {
                name: endpoint.name.to_owned(),
                subject: endpoint.subject.clone(),
                queue_group: endpoint.queue_group.clone(),
                metadata: endpoint.metadata.clone(),
            })
            .collect(),
    }
}

fn stats(discovery: &Discovery) -> StatsResponse {
    StatsResponse {
        kind: STATS_RESPONSE_TYPE.to_owned(),
        name: discovery.name.to_owned(),
        id: discovery.id.clone(),
        version: discovery.version.to_owned(),
        metadata: discovery.metadata.clone(),
        started: discovery.started.clone(),
        endpoints: discovery
            .shared_endpoints
            .endpoints()
            .iter()
            .map(EndpointState::stats)
            .collect(),
    }
}
