using System;
using System.Diagnostics;
using System.Management.Automation;
using RunCloud.PowerShell.Client;

namespace RunCloud.PowerShell.Commands
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

    /// <summary>Calls GET ping with the connection's credentials: $true when RunCloud accepts them.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "RunCloudConnection")]
    [OutputType(typeof(bool), typeof(RunCloudConnectionTest))]
    public sealed class TestRunCloudConnectionCommand : RunCloudCmdlet
    {
        [Parameter(ValueFromPipeline = true)]
        public RunCloudConnection? Connection { get; set; }

        [Parameter]
        public SwitchParameter Detailed { get; set; }

        protected override void ProcessRecord()
        {
            RunCloudConnection? connection = Connection ?? RunCloudSession.Current;
            var result = new RunCloudConnectionTest();
            if (connection == null)
            {
                result.ErrorId = ErrorIds.NotConnected;
                result.Message = "Not connected to RunCloud. Run Connect-RunCloud first (or pass -Connection).";
                Write(result);
                return;
            }

            result.BaseUri = connection.BaseUri;
            result.ApiVersion = connection.ApiVersion;
            result.AuthenticationKind = connection.AuthenticationKind;
            result.KeyId = connection.KeyId;
            var clock = Stopwatch.StartNew();
            try
            {
                var answer = Run(ct => connection.Api.GetAsync("ping", ct));
                result.Success = true;
                result.StatusCode = 200;
                result.Message = (string?)answer["message"] ?? "OK";
            }
            catch (RunCloudApiException ex)
            {
                result.StatusCode = ex.StatusCode;
                result.ErrorId = ex.ErrorId;
                result.Message = ex.Message;
                WriteVerbose(ex.Message);
            }

            result.Duration = clock.Elapsed;
            result.ServerRateLimit = connection.ServerRateLimit;
            result.ServerRateLimitRemaining = connection.ServerRateLimitRemaining;
            Write(result);
        }

        private void Write(RunCloudConnectionTest result)
        {
            if (Detailed) WriteObject(result);
            else WriteObject(result.Success);
        }
    }
}
