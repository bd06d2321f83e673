import protobuf from 'protobufjs';

/**
 * The msync wire format the vendor's client SDKs speak (their `easemob.pb` package), written down
 * from the field numbers and types the SDK encodes and decodes: only the messages and fields this
 * server reads or writes. Unknown fields a client sends are skipped by protobuf itself.
 */
const PROTO = `
syntax = "proto2";
package easemob.pb;

message JID { optional string appKey = 1; optional string name = 2; optional string domain = 3; optional string clientResource = 4; }

message KeyValue {
  enum ValueType { BOOL = 1; INT = 2; UINT = 3; LLINT = 4; FLOAT = 5; DOUBLE = 6; STRING = 7; JSON_STRING = 8; }
  optional string key = 1; optional ValueType type = 2; optional int64 varintValue = 3; optional float floatValue = 4;
  optional double doubleValue = 5; optional string stringValue = 6;
}

message Status {
  optional int32 errorCode = 1; optional string reason = 2;
}

message MSync {
  optional int32 version = 1; optional JID guid = 2; optional string auth = 3; optional int32 command = 8;
  optional bytes payload = 9; optional uint32 deviceId = 10; repeated int32 encryptType = 11; optional uint64 traceId = 20;
}

message Provision {
  optional int32 osType = 1; optional string version = 2; repeated int32 compressType = 5; repeated int32 encryptType = 6;
  optional Status status = 8; optional string deviceUuid = 9; optional string deviceName = 12; optional string resource = 13;
  optional string auth = 14; optional string authToken = 18; optional string sessionId = 20; repeated int32 protocolCompressType = 22;
}

message Meta {
  optional uint64 id = 1; optional JID from = 2; optional JID to = 3; optional uint64 timestamp = 4; optional int32 ns = 5;
  optional bytes payload = 6; optional int32 routetype = 7; repeated KeyValue ext = 8; optional bytes meta = 9;
  repeated string directedUsers = 10;
}

message CommSyncUL { optional Meta meta = 1; optional uint64 key = 2; optional JID queue = 3; }
message CommSyncDL {
  optional Status status = 1; optional uint64 metaId = 2; optional uint64 serverId = 3; repeated Meta metas = 4;
  optional uint64 nextKey = 5; optional JID queue = 6; optional bool isLast = 7; optional uint64 timestamp = 8;
}
message CommNotice { optional JID queue = 1; }
message MetaQueue { optional JID queue = 1; optional uint32 n = 2; }
message CommUnreadDL { optional Status status = 1; repeated MetaQueue unread = 2; optional uint64 timestamp = 3; }

message MessageBody {
  message Content {
    message Size { optional double width = 1; optional double height = 2; }
    optional int32 type = 1; optional string text = 2; optional double latitude = 3; optional double longitude = 4;
    optional string address = 5; optional string displayName = 6; optional string remotePath = 7; optional string secretKey = 8;
    optional int32 fileLength = 9; optional string action = 10; repeated KeyValue params = 11; optional int32 duration = 12;
    optional Size size = 13; optional string thumbnailRemotePath = 14; optional string thumbnailSecretKey = 15;
    optional string customEvent = 19; repeated KeyValue customExts = 20; optional string buildingName = 21;
  }
  message MessageConfig { optional bool allowGroupAck = 1; }
  optional int32 type = 1; optional JID from = 2; optional JID to = 3; repeated Content contents = 4; repeated KeyValue ext = 5;
  optional uint64 ackMessageId = 6; optional MessageConfig msgConfig = 7; optional string ackContent = 8; optional string meta = 9;
  optional uint64 editMessageId = 11;
}

message StatisticsBody { optional int32 operation = 1; optional string reason = 10; }

message MUCBody {
  message Status { optional int32 errorCode = 1; optional string description = 2; optional string chatroomInfo = 3; }
  optional JID mucId = 1; optional int32 operation = 2; optional JID from = 3; repeated JID to = 4; optional string reason = 6;
  optional bool isChatroom = 7; optional Status status = 8;
}
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const type = (name: string) => root.lookupType(`easemob.pb.${name}`);

export const pb = {
  MSync: type('MSync'),
  Provision: type('Provision'),
  Meta: type('Meta'),
  CommSyncUL: type('CommSyncUL'),
  CommSyncDL: type('CommSyncDL'),
  CommNotice: type('CommNotice'),
  CommUnreadDL: type('CommUnreadDL'),
  MessageBody: type('MessageBody'),
  StatisticsBody: type('StatisticsBody'),
  MUCBody: type('MUCBody'),
};

/** MSync.command */
export const Command = { SYNC: 0, UNREAD: 1, NOTICE: 2, PROVISION: 3, LOGOUT: 4 } as const;
/** Meta.ns */
export const Namespace = { STATISTIC: 0, CHAT: 1, MUC: 2, ROSTER: 3, NOTIFY: 5 } as const;
/** MessageBody.type */
export const BodyType = {
  NORMAL: 0,
  CHAT: 1,
  GROUPCHAT: 2,
  CHATROOM: 3,
  READ_ACK: 4,
  DELIVER_ACK: 5,
  RECALL: 6,
  CHANNEL_ACK: 7,
  EDIT: 8,
} as const;
/** MessageBody.Content.type */
export const ContentType = { TEXT: 0, IMAGE: 1, VIDEO: 2, LOCATION: 3, VOICE: 4, FILE: 5, COMMAND: 6, CUSTOM: 7, COMBINE: 8 } as const;
/** Status.errorCode */
export const ErrorCode = {
  OK: 0,
  FAIL: 1,
  UNAUTHORIZED: 2,
  WRONG_PARAMETER: 4,
  TOKEN_EXPIRED: 6,
  PERMISSION_DENIED: 7,
  TOO_MANY_DEVICES: 13,
  USER_MUTED: 15,
} as const;
/** StatisticsBody.operation: why the server ends a session. */
export const Kick = { USER_REMOVED: 1, LOGIN_ANOTHER_DEVICE: 2, CHANGED_PASSWORD: 3, KICKED_BY_OTHER_DEVICE: 4 } as const;
/** MUCBody.operation (the chat-room ones a client sends). */
export const MucOperation = { JOIN: 2, LEAVE: 3 } as const;
/** KeyValue.type */
export const ValueType = { BOOL: 1, INT: 2, UINT: 3, LLINT: 4, FLOAT: 5, DOUBLE: 6, STRING: 7, JSON_STRING: 8 } as const;

export interface Jid {
  appKey?: string;
  name?: string;
  domain?: string;
  clientResource?: string;
}
export interface KeyValue {
  key?: string;
  type?: number;
  varintValue?: number | string;
  floatValue?: number;
  doubleValue?: number;
  stringValue?: string;
}

/** A frame, or a message inside one, that does not decode: the client's mistake (the socket closes 1007). */
export class MalformedFrame extends Error {}

/** Decodes to plain objects: 64-bit integers as decimal strings (a client's ids may exceed 2^53), bytes as Buffers. */
export function decode<T>(t: protobuf.Type, bytes: Uint8Array): T {
  try {
    return t.toObject(t.decode(bytes), { longs: String, defaults: false }) as T;
  } catch {
    throw new MalformedFrame(`not a valid ${t.name}`);
  }
}

export function encode(t: protobuf.Type, value: object): Uint8Array {
  return t.encode(t.fromObject(value)).finish();
}
