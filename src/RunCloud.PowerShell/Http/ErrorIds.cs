using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text;

namespace RunCloud.PowerShell.Http
{
    /// <summary>The ErrorIds the module writes; each names one cause.</summary>
    internal static class ErrorIds
    {
        public const string AuthenticationFailed = "RunCloudAuthenticationFailed";
        public const string Forbidden = "RunCloudForbidden";
        public const string NotFound = "RunCloudNotFound";
        public const string ValidationFailed = "RunCloudValidationFailed";
        public const string RateLimited = "RunCloudRateLimited";
        public const string ServerError = "RunCloudServerError";
        public const string NotConnected = "RunCloudNotConnected";
        public const string TransportError = "RunCloudTransportError";
        public const string InvalidResponse = "RunCloudInvalidResponse";
        public const string UnexpectedResponse = "RunCloudUnexpectedResponse";
        public const string CredentialsNotFound = "RunCloudCredentialsNotFound";
        public const string InvalidBaseUri = "RunCloudInvalidBaseUri";
        public const string InvalidWpConfig = "RunCloudInvalidWpConfig";
        public const string InvalidDomainName = "RunCloudInvalidDomainName";
        public const string DomainNotFound = "RunCloudDomainNotFound";
        public const string DomainAlreadyExists = "RunCloudDomainAlreadyExists";
        public const string PrimaryDomainProtected = "RunCloudPrimaryDomainProtected";
        public const string MissingServerId = "RunCloudServerIdRequired";
        public const string MissingWebAppId = "RunCloudWebAppIdRequired";
        public const string InvalidInput = "RunCloudInvalidInput";
        public const string SslNotInstalled = "RunCloudSslNotInstalled";
        public const string TooManyRemovals = "RunCloudSyncTooManyRemovals";
        public const string SyncEmptySource = "RunCloudSyncEmptySource";
        public const string SyncPruneStopped = "RunCloudSyncPruneStopped";
        public const string SyncFailed = "RunCloudSyncFailed";
        public const string InvalidManifest = "RunCloudInvalidManifest";
        public const string InvalidPlan = "RunCloudInvalidPlan";
        public const string TooManyCalls = "RunCloudFleetTooManyCalls";
        public const string FleetTargetRefused = "RunCloudFleetTargetRefused";
        public const string FleetTargetBlocked = "RunCloudFleetTargetBlocked";
        public const string FleetTargetFailed = "RunCloudFleetTargetFailed";
        public const string ConnectionMismatch = "RunCloudConnectionMismatch";

        /// <summary>A sync stopped before sending: the account's calls this month would pass the hard share of its -MonthlyQuota.</summary>
        public const string QuotaReached = "RunCloudQuotaReached";

        // The scheduled sync (Invoke-RunCloudScheduledSync, Register-/Unregister-RunCloudSyncTask) and Invoke-RunCloudRequest.
        public const string InvalidLogPath = "RunCloudInvalidLogPath";
        public const string ScheduledSyncConfiguration = "RunCloudScheduledSyncConfiguration";
        public const string ScheduledSyncGuard = "RunCloudScheduledSyncGuard";
        public const string ScheduledSyncRetry = "RunCloudScheduledSyncRetryNextRun";
        public const string ScheduledSyncCredentials = "RunCloudScheduledSyncCredentialsRefused";
        public const string ScheduledSyncHealth = "RunCloudScheduledSyncHealthCheckFailed";
        public const string ScheduledSyncQuota = "RunCloudScheduledSyncQuotaReached";
        public const string InvalidSyncTask = "RunCloudInvalidSyncTask";
        public const string SyncTaskInstallFailed = "RunCloudSyncTaskInstallFailed";
        public const string SyncTaskNotFound = "RunCloudSyncTaskNotFound";
        public const string InvalidRequestPath = "RunCloudInvalidRequestPath";
        public const string ServerNotFound = "RunCloudServerNotFound";
        public const string WebAppNotFound = "RunCloudWebAppNotFound";
        public const string ConfirmationRequired = "RunCloudConfirmationRequired";
        public const string NothingToSet = "RunCloudNothingToSet";
        public const string DnsIntegrationNotFound = "RunCloudDnsIntegrationNotFound";
        public const string DnsIntegrationAmbiguous = "RunCloudDnsIntegrationAmbiguous";
    }
}
