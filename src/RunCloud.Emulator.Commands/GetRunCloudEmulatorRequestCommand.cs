using System;
using System.Management.Automation;

namespace RunCloud.Emulator.Commands
{
    /// <summary>Returns the emulator's request log (method, path, query, body, auth scheme, status), oldest first.</summary>
    [Cmdlet(VerbsCommon.Get, "RunCloudEmulatorRequest", HelpUri = "https://github.com/runcloud-powershell/RunCloud.PowerShell/blob/main/docs/help/" + "Get-RunCloudEmulatorRequest.md")]
    [OutputType(typeof(RecordedRequest))]
    public sealed class GetRunCloudEmulatorRequestCommand : EmulatorCmdletBase
    {
        [Parameter] [ValidateNotNullOrEmpty] public string? Method { get; set; }

        /// <summary>Wildcard on the full path (e.g. "*/domains") or on the path after /api/vN/ (e.g. "servers/*/webapps/*/domains").</summary>
        [Parameter] [ValidateNotNullOrEmpty] public string? Path { get; set; }

        protected override void ProcessRecord()
        {
            var e = ResolveEmulator();
            if (e == null) return;
            WildcardPattern? pattern = Path == null ? null : new WildcardPattern(Path.TrimStart('/'), WildcardOptions.IgnoreCase);
            foreach (var r in e.GetRequests())
            {
                if (Method != null && !string.Equals(r.Method, Method, StringComparison.OrdinalIgnoreCase)) continue;
                if (pattern != null)
                {
                    var full = r.Path.TrimStart('/');
                    var api = full.StartsWith("api/v", StringComparison.OrdinalIgnoreCase) && full.Length > 7 ? full.Substring(7).TrimStart('/') : full;
                    if (!pattern.IsMatch(full) && !pattern.IsMatch(api)) continue;
                }
                WriteObject(r);
            }
        }
    }
}
