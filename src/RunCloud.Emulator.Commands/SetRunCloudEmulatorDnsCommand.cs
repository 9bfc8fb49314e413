using System;
using System.Management.Automation;

namespace RunCloud.Emulator.Commands
{
    /// <summary>
    /// Sets entries of an emulator's DNS table: point names at addresses (optionally behind a proxy), make them CNAMEs,
    /// make them resolve to nothing (not pointed yet), or give them back to the default (every domain points at its server).
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "RunCloudEmulatorDns", SupportsShouldProcess = true, DefaultParameterSetName = AddressSet, HelpUri = "https://github.com/runcloud-powershell/RunCloud.PowerShell/blob/main/docs/help/" + "Set-RunCloudEmulatorDns.md")]
    [OutputType(typeof(DnsAnswer))]
    public sealed class SetRunCloudEmulatorDnsCommand : PSCmdlet
    {
        private const string AddressSet = "Address", CNameSet = "CName", UnpointedSet = "Unpointed", DefaultSet = "Default";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        [Parameter(Mandatory = true, Position = 1, ParameterSetName = AddressSet)]
        [ValidateNotNullOrEmpty]
        public string[] Address { get; set; } = Array.Empty<string>();

        [Parameter(ParameterSetName = AddressSet)]
        public SwitchParameter Proxied { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = CNameSet)]
        [ValidateNotNullOrEmpty]
        public string? CName { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = UnpointedSet)]
        public SwitchParameter Unpointed { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = DefaultSet)]
        public SwitchParameter Default { get; set; }

        [Parameter]
        [ValidateNotNull]
        public RunCloudEmulator? Emulator { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

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
                string action;
                switch (ParameterSetName)
                {
                    case CNameSet: action = "Make it a CNAME of " + CName; break;
                    case UnpointedSet: action = "Make it resolve to nothing (NXDOMAIN)"; break;
                    case DefaultSet: action = "Give it back to the default (a domain points at its server)"; break;
                    default: action = "Point it at " + string.Join(", ", Address) + (Proxied ? " (a proxy that forwards HTTP to the server)" : ""); break;
                }
                if (!ShouldProcess(name + " in the emulator's DNS", action)) continue;
                try
                {
                    switch (ParameterSetName)
                    {
                        case CNameSet: e.Dns.SetCName(name, CName!); break;
                        case UnpointedSet: e.Dns.SetUnpointed(name); break;
                        case DefaultSet: e.Dns.Remove(name); break;
                        default: e.Dns.SetAddresses(name, Address, Proxied.IsPresent); break;
                    }
                    if (PassThru) WriteObject(e.Dns.Resolve(name));
                }
                catch (ArgumentException ex)
                {
                    WriteError(ErrorRecords.InvalidDns(ex, name));
                }
            }
        }
    }
}
