using System;
using System.Management.Automation;

namespace RunCloud.Emulator.Commands
{
    /// <summary>
    /// Resolves names in an emulator's DNS (the table, then the default; CNAMEs followed): the resolver stand-in for
    /// tests of DNS readiness, and what the emulator's Let's Encrypt HTTP-01 validation sees.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Resolve, "RunCloudEmulatorDns")]
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
                WriteError(new ErrorRecord(
                    new InvalidOperationException("No RunCloud emulator is running in this session. Start one with Start-RunCloudEmulator, or pass -Emulator."),
                    "RunCloudEmulatorNotRunning", ErrorCategory.ObjectNotFound, null));
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
                    WriteError(new ErrorRecord(ex, "RunCloudEmulatorInvalidDns", ErrorCategory.InvalidArgument, name));
                }
            }
        }
    }
}
