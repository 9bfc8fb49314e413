using System;
using System.Management.Automation;

namespace RunCloud.Emulator.Commands
{
    /// <summary>
    /// The one place the emulator's cmdlets build an <see cref="ErrorRecord"/> (tests/RunCloud.Emulator.Tests/
    /// ArchitectureTests.cs fails on <c>new ErrorRecord(</c> anywhere else): each failure has one ErrorId, category and
    /// target, so two cmdlets never report the same failure differently and a test can rely on the id.
    /// </summary>
    internal static class ErrorRecords
    {
        /// <summary>No -Emulator was given and none was started in this session: ErrorId RunCloudEmulatorNotRunning.</summary>
        public static ErrorRecord NotRunning() =>
            new ErrorRecord(
                new InvalidOperationException("No RunCloud emulator is running in this session. Start one with Start-RunCloudEmulator, or pass -Emulator."),
                "RunCloudEmulatorNotRunning", ErrorCategory.ObjectNotFound, null);

        /// <summary>
        /// Whether <paramref name="exception"/> is the emulator failing to start (port taken, a state file it cannot read or
        /// parse) rather than a bug: decided here, beside Newtonsoft.Json, which the cmdlets' assembly does not name.
        /// </summary>
        public static bool IsStartFailure(Exception exception) =>
            exception is InvalidOperationException || exception is System.IO.IOException || exception is Newtonsoft.Json.JsonException;

        /// <summary>The emulator could not start (port taken, unreadable state file): ErrorId RunCloudEmulatorStartFailed.</summary>
        public static ErrorRecord StartFailed(Exception exception, object? target) =>
            new ErrorRecord(exception, "RunCloudEmulatorStartFailed", ErrorCategory.ResourceUnavailable, target);

        /// <summary>A DNS name or record the emulator's DNS table refuses: ErrorId RunCloudEmulatorInvalidDns, the name as target.</summary>
        public static ErrorRecord InvalidDns(ArgumentException exception, string name) =>
            new ErrorRecord(exception, "RunCloudEmulatorInvalidDns", ErrorCategory.InvalidArgument, name);

        /// <summary>A fault rule the emulator refuses: ErrorId RunCloudEmulatorInvalidFault, the rule as target.</summary>
        public static ErrorRecord InvalidFault(ArgumentException exception, object rule) =>
            new ErrorRecord(exception, "RunCloudEmulatorInvalidFault", ErrorCategory.InvalidArgument, rule);

        /// <summary>An Ultimate Multisite network the emulator cannot serve: ErrorId RunCloudEmulatorInvalidUltimateMultisite.</summary>
        public static ErrorRecord InvalidUltimateMultisite(ArgumentException exception) =>
            new ErrorRecord(exception, "RunCloudEmulatorInvalidUltimateMultisite", ErrorCategory.InvalidArgument, null);
    }
}
