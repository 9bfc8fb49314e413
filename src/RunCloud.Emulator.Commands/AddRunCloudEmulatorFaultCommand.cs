using System;
using System.Management.Automation;

namespace RunCloud.Emulator.Commands
{
    /// <summary>Adds a fault rule (failed status, reset, latency, malformed JSON, 429) to an emulator and returns it.</summary>
    [Cmdlet(VerbsCommon.Add, "RunCloudEmulatorFault", SupportsShouldProcess = true, HelpUri = "https://github.com/runcloud-powershell/RunCloud.PowerShell/blob/main/docs/help/" + "Add-RunCloudEmulatorFault.md")]
    [OutputType(typeof(FaultRule))]
    public sealed class AddRunCloudEmulatorFaultCommand : EmulatorCmdletBase
    {
        [Parameter(Mandatory = true)] public FaultKind Kind { get; set; }
        [Parameter] [ValidateRange(400, 599)] public int StatusCode { get; set; } = 500;
        /// <summary>How many matching requests to fault; 0 = until cleared.</summary>
        [Parameter] public int Count { get; set; } = 1;
        [Parameter] [ValidateNotNullOrEmpty] public string? Method { get; set; }
        /// <summary>Wildcard on the path after /api/vN/, e.g. "servers/*/webapps/*/domains".</summary>
        [Parameter] [ValidateNotNullOrEmpty] public string? Path { get; set; }
        [Parameter] [ValidateRange(0, 600000)] public int LatencyMilliseconds { get; set; }
        [Parameter] [ValidateRange(0, 86400)] public int RetryAfterSeconds { get; set; } = 1;
        /// <summary>For -Kind Latency: abort the connection after the delay instead of processing the request.</summary>
        [Parameter] public SwitchParameter DropAfterLatency { get; set; }
        /// <summary>Only requests presenting this Bearer token or v2 API key (one account of several); shown masked.</summary>
        [Parameter] [ValidateNotNullOrEmpty] public string? ForCredential { get; set; }

        protected override void ProcessRecord()
        {
            var e = ResolveEmulator();
            if (e == null) return;
            var rule = new FaultRule
            {
                Kind = Kind, StatusCode = StatusCode, Count = Count, Method = Method, PathPattern = Path,
                Latency = TimeSpan.FromMilliseconds(LatencyMilliseconds), RetryAfterSeconds = RetryAfterSeconds,
                ApplyAfterLatency = !DropAfterLatency.IsPresent, Credential = ForCredential,
            };
            if (!ShouldProcess(e.BaseUri.ToString(), "Add fault " + rule)) return;
            try
            {
                WriteObject(e.Faults.Add(rule));
            }
            catch (ArgumentException ex)
            {
                WriteError(ErrorRecords.InvalidFault(ex, rule));
            }
        }
    }
}
