using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace RunCloud.PowerShell.Loader
{
    /// <summary>
    /// Gives the rest of a process that imports the module a startup profile again (PowerShell 7 only).
    /// <para>
    /// PowerShell records which methods a process JIT-compiles (.NET's multi-core JIT, ProfileOptimization:
    /// StartupProfileData-NonInteractive in its cache folder) and, in the next process, compiles them on another core ahead of
    /// use. The runtime stops replaying that profile as soon as the process loads an assembly from outside PowerShell's own
    /// set, which every binary module does when it is imported: measured, everything a script does after importing this
    /// module (parameter binding, the HTTP client, the answers' JSON) was compiled on the script's own thread at every run,
    /// about 100 ms of a scheduled run, while a script of in-box cmdlets has it compiled beside it (docs/benchmarks.md).
    /// </para>
    /// <para>
    /// So, once this import has loaded the module's own assemblies (the cmdlets, the engine and the engine's dependencies from
    /// bin/, loaded here rather than on first use), a profile of the module's own is started
    /// (<c>&lt;engine&gt;-Interactive</c> or <c>-NonInteractive</c>, beside PowerShell's, in the folder PowerShell chose): the
    /// runtime records what the rest of this process compiles and replays the last run's recording on another core. A
    /// scheduled task runs the same script every time, so every run after the first starts with its last run's methods.
    /// Nothing happens when PowerShell set no profile folder (a host without one), on Windows PowerShell (whose module load
    /// does not stop the replay: .NET Framework), or when RUNCLOUD_NO_STARTUP_PROFILE is 1.
    /// </para>
    /// </summary>
    internal static class StartupProfile
    {
        /// <summary>Where the process notes that one of the RunCloud modules started its profile (and which).</summary>
        internal const string ProcessMarker = "RunCloud.StartupProfile";

        /// <summary>Set to 1 to leave PowerShell's startup profile alone (the module then starts no profile of its own).</summary>
        public const string OptOutVariable = "RUNCLOUD_NO_STARTUP_PROFILE";

        /// <summary>The profile's file name: one per engine and kind of session, as PowerShell keeps one per kind.</summary>
        internal static string ProfileName(string engineName, bool interactive) =>
            engineName + (interactive ? "-Interactive" : "-NonInteractive");

        /// <summary>
        /// Whether pwsh was started to run something and exit: -NonInteractive (any prefix PowerShell accepts, from -noni),
        /// -Command/-c or -File/-f, which is how scheduled tasks and scripts start it. A bare script path (pwsh x.ps1) counts
        /// as interactive here: it then shares the interactive profile, which costs replay, never correctness.
        /// </summary>
        internal static bool IsNonInteractive(string[] arguments)
        {
            for (int i = 1; i < arguments.Length; i++)
            {
                string a = arguments[i].TrimStart('-', '/');
                if (a.Length == 0) continue;
                if (a.Length >= 4 && "noninteractive".StartsWith(a, StringComparison.OrdinalIgnoreCase)) return true;
                if (string.Equals(a, "c", StringComparison.OrdinalIgnoreCase) || string.Equals(a, "command", StringComparison.OrdinalIgnoreCase)) return true;
                if (string.Equals(a, "f", StringComparison.OrdinalIgnoreCase) || string.Equals(a, "file", StringComparison.OrdinalIgnoreCase)) return true;
            }

            return false;
        }

        /// <summary>
        /// The assemblies <paramref name="assembly"/> references that bin/ carries (Newtonsoft.Json, the database client and
        /// what it references), loaded now: one loaded later, on first use, would stop the replay again.
        /// </summary>
        private static void LoadFromBin(ModuleLoadContext context, Assembly assembly, HashSet<string> seen)
        {
            foreach (AssemblyName reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name == null || !seen.Add(reference.Name) || context.PathOf(reference.Name) == null) continue;
                LoadFromBin(context, context.LoadFromAssemblyName(reference), seen);
            }
        }

        /// <summary>
        /// Makes sure the cmdlets' assembly (<paramref name="cmdletsAssemblyPath"/>: loaded here when the cmdlets are a
        /// nested module imported after the loader, as RunCloud.PowerShell's are; PowerShell 7.6 loads a root module's
        /// assembly before the nested modules, and then Assembly.LoadFrom, as PowerShell loads it, answers with that one),
        /// the engine and every assembly of bin/ it needs are loaded, then starts the module's profile. Runs once per
        /// process, for the first RunCloud module imported; a failure leaves the process as it was (the profile is an
        /// optimization, never a reason to fail an import).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Start(string engineName, string cmdletsAssemblyPath)
        {
            // One profile per process, started by the first import: a re-import, or the other RunCloud module (each has its own
            // loader), would cut it short.
            lock (string.Intern(ProcessMarker)) // the same object in every loader copy of the process
            {
                if (AppDomain.CurrentDomain.GetData(ProcessMarker) != null) return;
                AppDomain.CurrentDomain.SetData(ProcessMarker, engineName);
            }

            if (Environment.GetEnvironmentVariable(OptOutVariable) == "1") return;
            try
            {
                // As PowerShell loads a binary module (Assembly.LoadFrom): whichever of the two loads comes first, the other gets it.
                if (File.Exists(cmdletsAssemblyPath)) Assembly.LoadFrom(cmdletsAssemblyPath);
                Assembly engine = System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(engineName));
                var context = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(engine);
                if (context is ModuleLoadContext own) LoadFromBin(own, engine, new HashSet<string>(StringComparer.OrdinalIgnoreCase));

                System.Runtime.Loader.AssemblyLoadContext.Default.StartProfileOptimization(ProfileName(engineName, !IsNonInteractive(Environment.GetCommandLineArgs())));
            }
            catch (Exception e) when (e is IOException || e is BadImageFormatException || e is InvalidOperationException || e is UnauthorizedAccessException || e is NotSupportedException)
            {
                // Without the profile the import is what it was before: nothing to report.
            }
        }
    }
}
