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
                WriteError(new ErrorRecord(
                    new InvalidOperationException("No RunCloud emulator is running in this session. Start one with Start-RunCloudEmulator, or pass -Emulator."),
                    "RunCloudEmulatorNotRunning", ErrorCategory.ObjectNotFound, null));
            }
            return e;
        }
    }
}
