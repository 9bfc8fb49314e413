using System;
using System.Management.Automation;

namespace RunCloud.Emulator.Commands
{
    /// <summary>Resolves -Emulator, defaulting to the most recently started one.</summary>
    public abstract class EmulatorCmdletBase : PSCmdlet
    {
        [Parameter(ValueFromPipeline = true, Position = 0)]
        [ValidateNotNull]
        public RunCloudEmulator? Emulator { get; set; }

        protected RunCloudEmulator? ResolveEmulator()
        {
            var e = Emulator ?? EmulatorSession.Latest;
            if (e == null)
            {
                WriteError(ErrorRecords.NotRunning());
            }
            return e;
        }
    }
}
