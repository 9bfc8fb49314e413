using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using RunCloud.PowerShell.Commands;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// The module's public types are what users touch: the cmdlets and their base classes, what a cmdlet takes (parameter
    /// types) or writes ([OutputType]) and every type reachable from those through public properties, and exceptions
    /// users catch. Everything else is internal: PowerShell reflects over every public type of a binary module on each
    /// import, and a public helper is a promise nobody meant to make.
    /// </summary>
    public class PublicSurfaceTests
    {
        /// <summary>The engine (bin/RunCloud.PowerShell.dll).</summary>
        private static readonly Assembly Module = typeof(RunCloudCmdlet).Assembly;

        /// <summary>The cmdlets (RunCloud.PowerShell.Commands.dll, the module manifest's last nested module).</summary>
        private static readonly Assembly Cmdlets = typeof(SyncRunCloudDomainCommand).Assembly;

        [Fact]
        public void The_root_module_holds_the_cmdlets_and_nothing_else_public()
        {
            Type[] exported = Cmdlets.GetExportedTypes();
            Assert.True(exported.Length >= 25, $"only {exported.Length} cmdlets in {Cmdlets.GetName().Name}");
            string[] other = exported.Where(t => !typeof(Cmdlet).IsAssignableFrom(t) || t.GetCustomAttributesData().All(a => a.AttributeType != typeof(CmdletAttribute)))
                .Select(t => t.FullName!).ToArray();
            Assert.True(other.Length == 0, "Public in the cmdlets' assembly but not a cmdlet (PowerShell reflects over it on every import; put it in the engine): " + string.Join(", ", other));
        }

#if !NETFX_LANE
        // The forwarders matter on PowerShell 7 (.NET); Assembly.GetForwardedTypes is not on net472, whose lane compiles this too.
        public static TheoryData<string> ModulesWithAnEngine => new TheoryData<string> { "RunCloud.PowerShell", "RunCloud.PowerShell.Emulator" };

        /// <summary>
        /// Scripts name engine types through the root module (PowerShell 7 sees only the default load context, where the
        /// engine is not): each public engine type needs a forwarder there, and only engine types are forwarded.
        /// </summary>
        [Theory]
        [MemberData(nameof(ModulesWithAnEngine))]
        public void The_root_module_forwards_every_public_engine_type_so_scripts_can_name_it(string module)
        {
            (Assembly engine, Assembly cmdlets) = module == "RunCloud.PowerShell"
                ? (Module, Cmdlets)
                : (typeof(RunCloud.Emulator.RunCloudEmulator).Assembly, typeof(RunCloud.Emulator.Commands.StartRunCloudEmulatorCommand).Assembly);
            string[] published = engine.GetExportedTypes().Where(t => !t.IsNested).Select(t => t.FullName!).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            Type[] forwarded = cmdlets.GetForwardedTypes();
            string[] missing = published.Except(forwarded.Select(t => t.FullName!)).ToArray();
            Assert.True(missing.Length == 0, $"Public in {engine.GetName().Name} but not forwarded by {cmdlets.GetName().Name}, so a script cannot name it on PowerShell 7; add to its EngineTypes.cs: " +
                string.Join(" ", missing.Select(n => $"[assembly: TypeForwardedTo(typeof(global::{n}))]")));
            string[] foreign = forwarded.Where(t => t.Assembly != engine || !t.IsPublic).Select(t => t.FullName!).ToArray();
            Assert.True(foreign.Length == 0, $"{cmdlets.GetName().Name} forwards types that are not public types of {engine.GetName().Name}: " + string.Join(", ", foreign));
            Assert.True(published.Length > 20, $"only {published.Length} public types in {engine.GetName().Name}");
        }
#endif

        [Fact]
        public void Every_public_type_is_a_cmdlet_what_a_cmdlet_takes_or_writes_or_an_exception()
        {
            HashSet<Type> reachable = UserFacingTypes();
            string[] stray = Module.GetExportedTypes()
                .Where(t => !typeof(Cmdlet).IsAssignableFrom(t) && !typeof(Exception).IsAssignableFrom(t) && !reachable.Contains(t)
)
                .Select(t => t.FullName!)
                .OrderBy(n => n, StringComparer.Ordinal)
                .ToArray();
            Assert.True(stray.Length == 0,
                "Public, but no cmdlet takes or writes it and users do not catch it (make it internal; tests see internals): " + string.Join(", ", stray));
        }

        [Fact]
        public void The_surface_keeps_what_users_name()
        {
            // Named in tests/pester, docs/ and the format views: hiding one breaks a user's script.
            foreach (Type t in new[]
                     {
                         typeof(Models.RunCloudDomain), typeof(Models.RunCloudFleetResult), typeof(Session.RunCloudConnection),
                         typeof(Models.IRunCloudObject), typeof(Sources.UltimateMultisite.RunCloudMappedDomain),
                         typeof(Sources.UltimateMultisite.UmDesiredSet), typeof(Http.RunCloudApiException),
                     })
            {
                Assert.True(t.IsPublic, t.FullName + " must stay public");
            }
        }

        private static HashSet<Type> UserFacingTypes()
        {
            var seen = new HashSet<Type>();
            var queue = new Queue<Type>();
            void Add(Type? type)
            {
                if (type == null) return;
                if (type.IsArray || type.IsByRef) { Add(type.GetElementType()); return; }
                if (type.IsGenericType) { foreach (Type a in type.GetGenericArguments()) Add(a); }
                if (type.Assembly == Module && seen.Add(type)) queue.Enqueue(type);
            }

            // Attributes read as metadata (CustomAttributeData), not instantiated: the net472 lane compiles against
            // PowerShell's reference assemblies, whose attribute members have no bodies.
            foreach (Type cmdlet in Module.GetExportedTypes().Concat(Cmdlets.GetExportedTypes()).Where(t => typeof(Cmdlet).IsAssignableFrom(t)))
            {
                foreach (CustomAttributeData o in cmdlet.GetCustomAttributesData().Where(a => a.AttributeType == typeof(OutputTypeAttribute)))
                {
                    foreach (CustomAttributeTypedArgument arg in o.ConstructorArguments)
                    {
                        if (arg.Value is Type single) Add(single);
                        else if (arg.Value is IEnumerable<CustomAttributeTypedArgument> many) foreach (CustomAttributeTypedArgument t in many) Add(t.Value as Type);
                    }
                }

                foreach (PropertyInfo p in cmdlet.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    if (p.GetCustomAttributesData().Any(a => a.AttributeType == typeof(ParameterAttribute))) Add(p.PropertyType);
                }
            }

            // What an exception users catch carries (UmReadException.Failure) is theirs too.
            foreach (Type exception in Module.GetExportedTypes().Where(t => typeof(Exception).IsAssignableFrom(t))) Add(exception);

            while (queue.Count > 0)
            {
                Type t = queue.Dequeue();
                Add(t.BaseType);
                foreach (Type i in t.GetInterfaces()) Add(i);
                foreach (PropertyInfo p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)) Add(p.PropertyType);
                foreach (MethodInfo m in t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly).Where(m => !m.IsSpecialName))
                {
                    Add(m.ReturnType);
                    foreach (ParameterInfo a in m.GetParameters()) Add(a.ParameterType);
                }
            }

            return seen;
        }
    }
}
