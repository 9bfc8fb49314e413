using System;
using System.Diagnostics;
using System.Management.Automation;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>Calls GET ping with the connection's credentials: $true when RunCloud accepts them.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "RunCloudConnection", HelpUri = HelpUris.Base + "Test-RunCloudConnection.md")]
    [OutputType(typeof(bool), typeof(RunCloudConnectionTest))]
    public sealed class TestRunCloudConnectionCommand : RunCloudCmdlet
    {
        [Parameter(ValueFromPipeline = true)]
        [ConnectionTransformation]
        [ArgumentCompleter(typeof(Completion.ConnectionNameCompleter))]
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
                string message = Run(ct => connection.CreateService(Log).PingAsync(ct));
                result.Success = true;
                result.StatusCode = 200;
                result.Message = message;
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
