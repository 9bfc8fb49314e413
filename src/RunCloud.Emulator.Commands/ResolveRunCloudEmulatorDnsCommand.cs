using System;
using System.Management.Automation;

namespace RunCloud.Emulator.Commands
{
    /// <summary>
    /// Resolves names in an emulator's DNS (the table, then the default; CNAMEs followed): the resolver stand-in for
    /// tests of DNS readiness, and what the emulator's Let's Encrypt HTTP-01 validation sees.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Resolve, "RunCloudEmulatorDns", HelpUri = "https://github.com/runcloud-powershell/RunCloud.PowerShell/blob/main/docs/help/" + "Resolve-RunCloudEmulatorDns.md")]
    [OutputType(typeof(DnsAnswer))]
    public sealed class ResolveRunCloudEmulatorDnsCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        [Parameter]
        [ValidateNotNull]
        public RunCloudEmulator? Emulator { get; set; }

        protected override void ProcessRecord()
        {
            var e = Emulator ?? EmulatorSession.Latest;
            if (e == null)
            {
                WriteError(ErrorRecords.NotRunning());
                return;
            }
            foreach (var name in Name)
            {
                try
                {
                    WriteObject(e.Dns.Resolve(name));
                }
                catch (ArgumentException ex)
                {
                    WriteError(ErrorRecords.InvalidDns(ex, name));
                }
            }
        }
    }
}
