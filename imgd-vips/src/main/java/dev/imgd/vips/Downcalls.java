package dev.imgd.vips;

import static java.lang.classfile.ClassFile.ACC_FINAL;
import static java.lang.classfile.ClassFile.ACC_PUBLIC;
import static java.lang.classfile.ClassFile.ACC_SYNTHETIC;
import static java.lang.constant.ConstantDescs.BSM_CLASS_DATA_AT;
import static java.lang.constant.ConstantDescs.CD_MethodHandle;
import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.DEFAULT_NAME;
import static java.lang.constant.ConstantDescs.INIT_NAME;
import static java.lang.constant.ConstantDescs.MTD_void;

import java.lang.classfile.ClassBuilder;
import java.lang.classfile.ClassFile;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Implements an interface of C functions with FFM downcalls. Each abstract method is one C
 * function: its name is the symbol, its Java types are the C signature ({@link MemorySegment} for
 * any pointer, {@code int}, {@code long}, {@code double}, or {@code void} for the result).
 *
 * <p>The implementation is a hidden class whose methods call their downcall handle with {@code
 * invokeExact}; each handle is a constant of that class (its class data), so the JIT inlines the
 * downcall as it would from a {@code static final} field. Nothing is wrapped: a downcall throws
 * only unchecked exceptions, and they pass through as they are.
 */
@SuppressWarnings("restricted") // FFM: binds libvips functions: downcallHandle is its job
final class Downcalls {
  private static final Map<Class<?>, ValueLayout> LAYOUTS =
      Map.of(
          MemorySegment.class, ValueLayout.ADDRESS,
          int.class, ValueLayout.JAVA_INT,
          long.class, ValueLayout.JAVA_LONG,
          double.class, ValueLayout.JAVA_DOUBLE);

  private Downcalls() {}

  /**
   * Binds every function of {@code functions} now, each to the address {@code symbols} gives for
   * its name (which throws when the library lacks it).
   *
   * @param caller a full-privilege lookup in the package of {@code functions}, where the
   *     implementation is defined
   */
  static <T> T implement(
      MethodHandles.Lookup caller, Class<T> functions, Function<String, MemorySegment> symbols) {
    if (!functions.isInterface()) {
      throw new IllegalArgumentException(functions + " is not an interface");
    }
    List<Method> methods =
        Arrays.stream(functions.getDeclaredMethods())
            .filter(m -> Modifier.isAbstract(m.getModifiers()))
            .sorted(Comparator.comparing(Method::getName))
            .toList();
    List<MethodHandle> handles =
        methods.stream()
            .map(m ->
                Linker.nativeLinker().downcallHandle(symbols.apply(m.getName()), descriptor(m)))
            .toList();
    byte[] implementation = implementation(caller, functions, methods);
    try {
      Class<?> bound =
          caller.defineHiddenClassWithClassData(implementation, handles, true).lookupClass();
      return functions.cast(bound.getDeclaredConstructor().newInstance());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot implement " + functions.getName(), e);
    }
  }

  private static FunctionDescriptor descriptor(Method m) {
    MemoryLayout[] arguments =
        Arrays.stream(m.getParameterTypes())
            .map(type -> layout(type, m))
            .toArray(MemoryLayout[]::new);
    return m.getReturnType() == void.class
        ? FunctionDescriptor.ofVoid(arguments)
        : FunctionDescriptor.of(layout(m.getReturnType(), m), arguments);
  }

  private static ValueLayout layout(Class<?> type, Method m) {
    ValueLayout layout = LAYOUTS.get(type);
    if (layout == null) {
      throw new IllegalArgumentException(
          m.getName() + ": " + type.getName() + " is not a C type (want " + LAYOUTS.keySet() + ")");
    }
    return layout;
  }

  // A final class implementing `functions`; its method i is
  // { return (R) ((MethodHandle) classData.get(i)).invokeExact(arguments...); }
  private static byte[] implementation(
      MethodHandles.Lookup caller, Class<?> functions, List<Method> methods) {
    String name = functions.getSimpleName() + "$Downcalls";
    return ClassFile.of()
        .build(
            ClassDesc.of(caller.lookupClass().getPackageName(), name),
            clazz -> {
              clazz
                  .withFlags(ACC_FINAL | ACC_SYNTHETIC)
                  .withSuperclass(CD_Object)
                  .withInterfaceSymbols(ClassDesc.of(functions.getName()));
              clazz.withMethodBody(
                  INIT_NAME,
                  MTD_void,
                  ACC_PUBLIC,
                  code -> code.aload(0).invokespecial(CD_Object, INIT_NAME, MTD_void).return_());
              for (int i = 0; i < methods.size(); i++) {
                downcall(clazz, methods.get(i), i);
              }
            });
  }

  private static void downcall(ClassBuilder clazz, Method m, int index) {
    MethodTypeDesc type =
        MethodType.methodType(m.getReturnType(), m.getParameterTypes())
            .describeConstable()
            .orElseThrow();
    var handle =
        DynamicConstantDesc.ofNamed(BSM_CLASS_DATA_AT, DEFAULT_NAME, CD_MethodHandle, index);
    clazz.withMethodBody(
        m.getName(),
        type,
        ACC_PUBLIC | ACC_FINAL,
        code -> {
          code.ldc(handle);
          for (int p = 0; p < type.parameterCount(); p++) {
            code.loadLocal(TypeKind.from(type.parameterType(p)), code.parameterSlot(p));
          }
          code.invokevirtual(CD_MethodHandle, "invokeExact", type);
          code.return_(TypeKind.from(type.returnType()));
        });
  }
}
