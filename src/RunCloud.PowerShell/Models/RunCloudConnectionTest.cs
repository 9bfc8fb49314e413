using System;
using System.Diagnostics;
using System.Management.Automation;

namespace RunCloud.PowerShell.Models
{
    /// <summary>The outcome of Test-RunCloudConnection -Detailed.</summary>
    public sealed class RunCloudConnectionTest
    {
        public bool Success { get; set; }
        public Uri? BaseUri { get; set; }
        public string? ApiVersion { get; set; }
        public RunCloudAuthenticationKind? AuthenticationKind { get; set; }
        public string? KeyId { get; set; }
        public int? StatusCode { get; set; }
        public string? ErrorId { get; set; }
        public string Message { get; set; } = string.Empty;
        public TimeSpan Duration { get; set; }
        public int? ServerRateLimit { get; set; }
        public int? ServerRateLimitRemaining { get; set; }
    }
}
