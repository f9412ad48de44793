// Package arm serves openacr's management API in Azure Resource Manager
// format (SPEC §7): registries, scope maps, tokens and generateCredentials
// under the paths, wire bodies, error envelope and api-version rules of
// Microsoft.ContainerRegistry, so that the official Azure SDKs (and the
// openacr CLI, which uses them) work against it unchanged. It also answers
// Microsoft.Authorization/acquirePolicyToken.
//
// The package owns routing, the wire types (mirroring armcontainerregistry),
// admin authentication, api-version handling and the mapping of access
// errors to ARM error codes. Every rule about the objects themselves lives in
// internal/access; this package imports access and never a store.
//
// Long-running operations complete synchronously: PUT and PATCH answer
// 200/201 with provisioningState "Succeeded" and no polling headers, DELETE
// answers 200 (or 204 when there was nothing to delete), and
// generateCredentials answers 200 with its result. The SDK's pollers accept
// all of these.
package arm
